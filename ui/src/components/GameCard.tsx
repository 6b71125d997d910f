import { useState } from "preact/hooks";
import type { GameView } from "../bindings/index.ts";
import {
  type Action,
  actionsWithSpace,
  badgeFor,
  detailsLine,
  linksFor,
  progressFill,
  progressLine,
  sizeVersionLine,
  trustLine,
} from "../logic.ts";

interface Props {
  game: GameView;
  /** A command for this game is on its way to the backend. */
  pending: boolean;
  /** Free bytes in the game folder (`null`: unknown). */
  freeBytes: number | null;
  /** Games install right after downloading (Install then needs room for both). */
  autoInstall: boolean;
  /** The last verify found damage: offer Repair. */
  damaged: boolean;
  onAction: (game: GameView, action: Action) => void;
}

function Art({ game }: { game: GameView }) {
  const [broken, setBroken] = useState(false);
  if (game.art && !broken) {
    return (
      <img
        src={`/${game.art}`}
        alt=""
        loading="lazy"
        draggable={false}
        onError={() => setBroken(true)}
      />
    );
  }
  const initials = game.name.split(/\s+/).filter(Boolean).slice(0, 3).map((w) => w[0]).join("").toUpperCase();
  return (
    <div class="art-fallback" aria-hidden="true">
      <span>{initials}</span>
    </div>
  );
}

export function GameCard({ game, pending, freeBytes, autoInstall, damaged, onAction }: Props) {
  const badge = badgeFor(game);
  const actions = actionsWithSpace(game, freeBytes, autoInstall);
  const links = linksFor(game, damaged);
  const fill = progressFill(game);
  const line = progressLine(game);
  const trust = trustLine(game);
  return (
    <article
      class={`card state-${game.state}${game.operation ? " busy" : ""}`}
      data-game-id={game.id}
      data-state={game.state}
      aria-label={`${game.name}: ${badge.label}`}
    >
      <div class="art">
        <Art game={game} />
        <span class={`badge tone-${badge.tone}`} data-testid="badge">{badge.label}</span>
      </div>
      <div class="body">
        <h3 class="title" title={game.description}>{game.name}</h3>
        <div class="meta">{detailsLine(game)}</div>
        <div class="meta version">{sizeVersionLine(game)}</div>
        {trust && <div class="meta trust" data-testid="trust">{trust}</div>}
        {fill != null && (
          <div
            class={`bar${fill < 0 ? " indeterminate" : ""}${
              game.state === "paused" && !game.operation ? " paused" : ""
            }`}
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={fill < 0 ? undefined : fill}
            data-testid="progress"
          >
            <div class="fill" style={{ width: fill < 0 ? "35%" : `${fill}%` }} />
          </div>
        )}
        {line && <div class="progress-line" data-testid="progress-line">{line}</div>}
        <div class="actions">
          {actions.map((a) => (
            <button
              type="button"
              key={a.kind}
              class={`btn btn-${a.style}`}
              data-action={a.kind}
              disabled={a.disabled || pending}
              title={a.hint}
              aria-label={`${a.label} ${game.name}`}
              onClick={() => onAction(game, a)}
            >
              {a.label}
            </button>
          ))}
        </div>
        {links.length > 0 && (
          <div class="card-links">
            {links.map((a) => (
              <button
                type="button"
                key={a.kind}
                class={`link link-${a.style}`}
                data-action={a.kind}
                disabled={a.disabled || pending}
                title={a.hint}
                aria-label={`${a.label} ${game.name}`}
                onClick={() => onAction(game, a)}
              >
                {a.label}
              </button>
            ))}
          </div>
        )}
      </div>
    </article>
  );
}
