/** Empty and problem states of the library area: each says what is going on and what to do. */
import type { SettingsView } from "../bindings/index.ts";
import { describeError } from "../logic.ts";
import { WarnIcon } from "./icons.tsx";

export function Starting() {
  return (
    <div class="empty-state" data-testid="starting">
      <div class="spinner" aria-hidden="true" />
      <h2>Starting…</h2>
    </div>
  );
}

export function DirProblem(
  { settings, onCreate, onChoose }: { settings: SettingsView; onCreate: () => void; onChoose: () => void },
) {
  const problem = settings.game_dir.problem;
  const missing = problem?.message.includes("missing") ?? false;
  return (
    <div class="empty-state problem" data-testid="dir-problem">
      <WarnIcon />
      <h2>{missing ? "Your game folder is missing" : "lanspread cannot use your game folder"}</h2>
      <p class="path">{settings.game_dir.path}</p>
      {problem && <p>{describeError(problem).detail}</p>}
      <div class="row">
        {missing && <button type="button" class="btn btn-primary" onClick={onCreate}>Create it again</button>}
        <button type="button" class={`btn ${missing ? "btn-secondary" : "btn-primary"}`} onClick={onChoose}>
          Choose another folder…
        </button>
      </div>
    </div>
  );
}

export function StartFailed({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div class="empty-state problem" data-testid="start-failed">
      <WarnIcon />
      <h2>lanspread could not connect to the network</h2>
      <p>{message}</p>
      <div class="row">
        <button type="button" class="btn btn-primary" onClick={onRetry}>Try again</button>
      </div>
    </div>
  );
}

export function NoPeers({ gameDir }: { gameDir: string }) {
  return (
    <div class="empty-state" data-testid="no-peers">
      <div class="radar" aria-hidden="true">
        <span />
        <span />
        <span />
      </div>
      <h2>Looking for other players…</h2>
      <p>
        Everyone running lanspread on the same network shows up here automatically within a few seconds, with
        all the games they have.
      </p>
      <div class="checklist">
        <h3>Nobody showing up?</h3>
        <ul>
          <li>
            Make sure you are on the same network as the others (same switch or Wi-Fi; not a guest network).
          </li>
          <li>
            Allow lanspread through your firewall: it finds peers with mDNS (UDP port 5353) and a broadcast
            beacon (UDP port 41801) and transfers over QUIC (UDP port 41800).
          </li>
          <li>Turn off VPNs: they can hide the local network.</li>
        </ul>
      </div>
      <p class="hint">
        Have games already? Put each in its own folder in <code>{gameDir}</code> and share them with everyone.
      </p>
    </div>
  );
}

export function NobodyShares({ peers }: { peers: number }) {
  return (
    <div class="empty-state" data-testid="nobody-shares">
      <h2>{peers === 1 ? "1 player is here" : `${peers} players are here`}, but nobody shares a game yet</h2>
      <p>Games appear as soon as someone has one in their game folder.</p>
    </div>
  );
}

export function NoMatch({ onClear }: { onClear: () => void }) {
  return (
    <div class="empty-state small" data-testid="no-match">
      <h2>No games match</h2>
      <button type="button" class="btn btn-secondary" onClick={onClear}>Show all games</button>
    </div>
  );
}
