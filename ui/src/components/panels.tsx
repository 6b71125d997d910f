/**
 * Modal dialogs: uninstall, delete and quit confirmations, downloads, peers, settings. Escape or
 * the backdrop closes them.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type {
  AppError,
  ConnectionTest,
  GameView,
  PeerView,
  SettingsUpdate,
  SettingsView,
  TransferTotals,
  UnreachableView,
} from "../bindings/index.ts";
import { formatBytes, formatRate } from "../format.ts";
import {
  type Action,
  type ActionKind,
  describeError,
  downloadLine,
  downloadsOf,
  ordinal,
  peerCountLabel,
  pinsLine,
  progressFill,
} from "../logic.ts";
import { CloseIcon } from "./icons.tsx";

interface ModalProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  testId?: string;
}

export function Modal({ title, onClose, children, wide, testId }: ModalProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = box.current;
    const first = el?.querySelector<HTMLElement>("[data-autofocus]") ??
      el?.querySelector<HTMLElement>("button, input, select");
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        onClose();
      } else if (e.key === "Tab" && el) {
        // Keep focus inside the dialog.
        const items = Array.from(
          el.querySelectorAll<HTMLElement>("button:not([disabled]), input, select, [tabindex='0']"),
        );
        if (items.length === 0) return;
        const i = items.indexOf(document.activeElement as HTMLElement);
        if (e.shiftKey && i <= 0) {
          e.preventDefault();
          items[items.length - 1].focus();
        } else if (!e.shiftKey && i === items.length - 1) {
          e.preventDefault();
          items[0].focus();
        }
      }
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      before?.focus?.();
    };
  }, []);
  return (
    <div class="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        class={`modal${wide ? " wide" : ""}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={box}
        data-testid={testId}
      >
        <div class="modal-head">
          <h2>{title}</h2>
          <button type="button" class="icon-btn" onClick={onClose} aria-label="Close">
            <CloseIcon />
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

export function ConfirmUninstall(
  { game, gameDir, onConfirm, onClose }: {
    game: GameView;
    gameDir: string;
    onConfirm: () => void;
    onClose: () => void;
  },
) {
  return (
    <Modal title={`Uninstall ${game.name}?`} onClose={onClose} testId="confirm-uninstall">
      <p>
        The installed files in <code>{`${gameDir}/${game.id}/local`}</code>{" "}
        are removed, including saves and settings kept there.
      </p>
      <p class="muted">
        The download stays, so installing again takes seconds, and other players can keep getting the game
        from you.
      </p>
      <div class="modal-actions">
        <button type="button" class="btn btn-secondary" onClick={onClose} data-autofocus>Keep it</button>
        <button
          type="button"
          class="btn btn-danger-solid"
          data-action="confirm-uninstall"
          onClick={onConfirm}
        >
          Uninstall
        </button>
      </div>
    </Modal>
  );
}

export function ConfirmDelete(
  { game, gameDir, onConfirm, onClose }: {
    game: GameView;
    gameDir: string;
    onConfirm: () => void;
    onClose: () => void;
  },
) {
  const paused = !game.downloaded && !game.installed;
  return (
    <Modal
      title={paused ? `Discard the download of ${game.name}?` : `Delete ${game.name} from this PC?`}
      onClose={onClose}
      testId="confirm-delete"
    >
      <p>
        Everything in <code>{`${gameDir}/${game.id}`}</code> is removed: {paused
          ? "the part downloaded so far."
          : "the download and the installed game, including saves and settings kept there."}
      </p>
      <p class="muted">You can get it again from another player any time.</p>
      <div class="modal-actions">
        <button type="button" class="btn btn-secondary" onClick={onClose} data-autofocus>Keep it</button>
        <button type="button" class="btn btn-danger-solid" data-action="confirm-delete" onClick={onConfirm}>
          {paused ? "Discard" : "Delete"}
        </button>
      </div>
    </Modal>
  );
}

export function ConfirmQuit(
  { busy, onConfirm, onClose }: { busy: string[]; onConfirm: () => void; onClose: () => void },
) {
  return (
    <Modal title="Quit lanspread?" onClose={onClose} testId="confirm-quit">
      <p>
        {busy.join(", ")} {busy.length === 1 ? "is" : "are"}{" "}
        still running. Downloads pause and keep what they verified; an install that has not finished is
        undone.
      </p>
      <p class="muted">Other players stop getting games from you until you start lanspread again.</p>
      <div class="modal-actions">
        <button type="button" class="btn btn-secondary" onClick={onClose} data-autofocus>Keep running</button>
        <button type="button" class="btn btn-danger-solid" data-action="confirm-quit" onClick={onConfirm}>
          Quit
        </button>
      </div>
    </Modal>
  );
}

export function DownloadsPanel(
  { games, totals, onAction, onClose }: {
    games: GameView[];
    totals: TransferTotals | null;
    onAction: (game: GameView, action: Action) => void;
    onClose: () => void;
  },
) {
  const { running, queued } = downloadsOf(games);
  const act = (g: GameView, kind: ActionKind, label: string) => (
    <button
      type="button"
      class="btn btn-secondary btn-small"
      data-action={kind}
      aria-label={`${label} ${g.name}`}
      onClick={() => onAction(g, { kind, label, style: "secondary", disabled: false })}
    >
      {label}
    </button>
  );
  return (
    <Modal title="Downloads" onClose={onClose} wide testId="downloads-panel">
      <p class="muted totals" data-testid="totals">
        {totals
          ? `↓ ${formatRate(totals.down_bps)} · ↑ ${formatRate(totals.up_bps)} · ${
            formatBytes(totals.uploaded_bytes)
          } shared since start`
          : "…"}
      </p>
      {running.length === 0 && queued.length === 0 && (
        <p class="muted">
          Nothing is downloading. Press Install on a game; more than one wait here in order.
        </p>
      )}
      <ul class="downloads">
        {running.map((g) => {
          const fill = progressFill(g);
          return (
            <li key={g.id} data-download={g.id} class="download running">
              <div class="download-head">
                <strong>{g.name}</strong>
                {act(g, "cancel", "Pause")}
              </div>
              <div class={`bar${fill == null || fill < 0 ? " indeterminate" : ""}`} role="progressbar">
                <div class="fill" style={{ width: fill == null || fill < 0 ? "35%" : `${fill}%` }} />
              </div>
              <div class="progress-line">{downloadLine(g)}</div>
            </li>
          );
        })}
        {queued.map((g, i) => (
          <li key={g.id} data-download={g.id} class="download queued">
            <div class="download-head">
              <span class="muted">{ordinal(i + 1)}</span>
              <strong class="grow">{g.name}</strong>
              <span class="muted">{formatBytes(g.size_bytes)}</span>
              {i > 0 && act(g, "queue_up", "Up")}
              {i < queued.length - 1 && act(g, "queue_down", "Down")}
              {act(g, "start_now", "Start now")}
              {act(g, "cancel", "Remove")}
            </div>
          </li>
        ))}
      </ul>
    </Modal>
  );
}

/** The Windows Firewall rule that lets lanspread's discovery and transfers in. */
export const WINDOWS_FIREWALL_RULE =
  'netsh advfirewall firewall add rule name="lanspread" dir=in action=allow protocol=UDP localport=5353,41800,41801 profile=any';

function onWindows(): boolean {
  return typeof navigator !== "undefined" && navigator.userAgent.includes("Windows");
}

export function PeersPanel(
  { peers, unreachable, tests, settings, onAdd, onTest, onForget, onClose }: {
    peers: PeerView[];
    unreachable: UnreachableView[];
    /** Answers to "Test", newest last. */
    tests: ConnectionTest[];
    settings: SettingsView;
    onAdd: (address: string) => Promise<AppError | null>;
    onTest: (address: string) => Promise<AppError | null>;
    onForget: (address: string) => void;
    onClose: () => void;
  },
) {
  const [address, setAddress] = useState("");
  const [error, setError] = useState<AppError | null>(null);
  const [adding, setAdding] = useState(false);
  // The newest answer when "Test" was pressed: "Testing…" until a newer one arrives.
  const [pressed, setPressed] = useState<{ before: ConnectionTest | undefined } | null>(null);
  const newest = tests.length > 0 ? tests[tests.length - 1] : undefined;
  const testing = pressed !== null && newest === pressed.before;
  const lastTest = pressed !== null && !testing ? newest : undefined;
  const test = async () => {
    if (!address.trim()) return;
    setError(null);
    setPressed({ before: newest });
    const err = await onTest(address);
    if (err) {
      setPressed(null);
      setError(err);
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    if (!address.trim()) return;
    setAdding(true);
    const err = await onAdd(address);
    setAdding(false);
    setError(err);
    if (!err) setAddress("");
  };
  return (
    <Modal
      title={`${peerCountLabel(peers.length)} on your network`}
      onClose={onClose}
      wide
      testId="peers-panel"
    >
      <p class="own-address" data-testid="own-address">
        {settings.own_addresses.length > 0
          ? (
            <>
              This PC: <code>{settings.own_addresses[0]}</code>
              {settings.own_addresses.length > 1 && (
                <span class="muted">{` (also ${settings.own_addresses.slice(1).join(", ")})`}</span>
              )}
            </>
          )
          : <span class="muted">This PC has no network address yet.</span>}
      </p>
      {peers.length === 0
        ? (
          <p class="muted">
            Nobody yet. Other players running lanspread on the same network appear here automatically. If they
            do not, check that you are on the same network (same subnet, no guest Wi-Fi) and that your
            firewall allows lanspread.
          </p>
        )
        : (
          <ul class="peer-list">
            {peers.map((p) => (
              <li key={p.peer_id} class="peer">
                <div class="peer-head">
                  <span class="dot online" aria-hidden="true" />
                  <strong>{p.name}</strong>
                  <span class="muted mono" title={p.peer_id}>{p.addr} · {p.short_id}</span>
                </div>
                <div class="peer-games">
                  {p.games.length === 0
                    ? <span class="muted">Shares no games yet</span>
                    : p.games.map((g) => (
                      <span class="tag" key={g.id} title={g.version ? `version ${g.version}` : undefined}>
                        {g.name}
                      </span>
                    ))}
                </div>
              </li>
            ))}
          </ul>
        )}
      <details class="cant-see" data-testid="cant-see" open={peers.length === 0 || unreachable.length > 0}>
        <summary>Can't see someone?</summary>
        {unreachable.length > 0 && (
          <ul class="unreachable">
            {unreachable.map((u) => (
              <li key={u.addr}>
                <strong>{u.name ?? u.addr}</strong>{" "}
                <span class="muted mono">{u.addr} · heard via {u.via}</span>
                <div>{u.reason}</div>
              </li>
            ))}
          </ul>
        )}
        <ul class="hints">
          <li>Same network: the same switch or Wi-Fi, not a guest network; VPNs off.</li>
          <li>
            Firewall: allow lanspread, or UDP ports 5353 (mDNS), 41801 (beacon) and 41800 (transfers).
            {onWindows() && (
              <>
                {" "}On Windows, in an administrator command prompt:{" "}
                <code class="mono">{WINDOWS_FIREWALL_RULE}</code>
              </>
            )}
          </li>
          <li>Still nothing? Type the address their Peers panel shows:</li>
        </ul>
        <form class="field-row add-peer" onSubmit={add}>
          <input
            type="text"
            class="grow"
            placeholder="192.168.1.20:41800"
            value={address}
            data-testid="add-peer-address"
            onInput={(e) => setAddress((e.target as HTMLInputElement).value)}
          />
          <button
            type="button"
            class="btn btn-secondary"
            disabled={testing}
            data-action="test-connection"
            onClick={test}
          >
            {testing ? "Testing…" : "Test"}
          </button>
          <button type="submit" class="btn btn-primary" disabled={adding} data-action="add-peer">
            Add a peer by address
          </button>
        </form>
        {lastTest && (
          <div
            class={lastTest.reachable ? "test-result ok" : "test-result form-error"}
            role="status"
            data-testid="connection-test"
          >
            {lastTest.message}
          </div>
        )}
        {error && (
          <div class="form-error" role="alert">
            <strong>{describeError(error).title}.</strong> {describeError(error).detail}
          </div>
        )}
        {settings.known_peers.length > 0 && (
          <ul class="known-peers">
            {settings.known_peers.map((a) => (
              <li key={a}>
                <code>{a}</code>{" "}
                <button type="button" class="link link-danger" onClick={() => onForget(a)}>Forget</button>
              </li>
            ))}
          </ul>
        )}
      </details>
    </Modal>
  );
}

interface SettingsProps {
  settings: SettingsView;
  onChangeDir: () => void;
  onPickCatalog: () => Promise<string | null>;
  onSave: (u: SettingsUpdate) => Promise<AppError | null>;
  onClose: () => void;
}

/** A speed limit field: empty or 0 is no limit (0); `null` when it is not a whole number. */
export function parseCap(text: string): number | null {
  const t = text.trim();
  if (t === "") return 0;
  if (!/^\d{1,6}$/.test(t)) return null;
  return Number(t);
}

export function SettingsDialog({ settings, onChangeDir, onPickCatalog, onSave, onClose }: SettingsProps) {
  const [name, setName] = useState(settings.peer_name);
  const [auto, setAuto] = useState(settings.auto_install);
  const [catalog, setCatalog] = useState(settings.catalog_path ?? "");
  const [keep, setKeep] = useState(settings.keep_sharing);
  const [up, setUp] = useState(settings.upload_limit_mbit?.toString() ?? "");
  const [down, setDown] = useState(settings.download_limit_mbit?.toString() ?? "");
  const [error, setError] = useState<AppError | null>(null);
  const [saving, setSaving] = useState(false);
  const rt = settings.runtime;
  const save = async () => {
    setSaving(true);
    const update: SettingsUpdate = {};
    if (name.trim() !== settings.peer_name) update.peer_name = name;
    if (auto !== settings.auto_install) update.auto_install = auto;
    if (catalog !== (settings.catalog_path ?? "")) update.catalog_path = catalog;
    if (keep !== settings.keep_sharing) update.keep_sharing = keep;
    const upCap = parseCap(up);
    const downCap = parseCap(down);
    if (upCap == null || downCap == null) {
      setSaving(false);
      setError({
        kind: "invalid_input",
        message: "A speed limit is a whole number of Mbit/s (empty: no limit).",
      });
      return;
    }
    if (upCap !== (settings.upload_limit_mbit ?? 0)) update.upload_limit_mbit = upCap;
    if (downCap !== (settings.download_limit_mbit ?? 0)) update.download_limit_mbit = downCap;
    const err = Object.keys(update).length === 0 ? null : await onSave(update);
    setSaving(false);
    if (err) setError(err);
    else onClose();
  };
  return (
    <Modal title="Settings" onClose={onClose} wide testId="settings">
      <div class="form">
        <div class="field">
          <span class="label">Game folder</span>
          <div class="field-row">
            <code class="grow">{settings.game_dir.path}</code>
            <button type="button" class="btn btn-secondary" onClick={onChangeDir}>Change…</button>
          </div>
        </div>
        <label class="field">
          <span class="label">Your name on the network</span>
          <input
            type="text"
            value={name}
            maxLength={64}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="field check">
          <input
            type="checkbox"
            checked={auto}
            onChange={(e) => setAuto((e.target as HTMLInputElement).checked)}
          />
          <span>Install games right after they finish downloading</span>
        </label>
        <label class="field check">
          <input
            type="checkbox"
            checked={keep}
            data-testid="keep-sharing"
            onChange={(e) => setKeep((e.target as HTMLInputElement).checked)}
          />
          <span>Keep sharing when the window is closed (lanspread stays in the tray)</span>
        </label>
        <div class="field">
          <span class="label">Speed limits (Mbit/s, empty: none; apply at once)</span>
          <div class="field-row">
            <label class="grow">
              Upload{" "}
              <input
                type="text"
                inputMode="numeric"
                size={6}
                value={up}
                data-testid="upload-limit"
                onInput={(e) => setUp((e.target as HTMLInputElement).value)}
              />
            </label>
            <label class="grow">
              Download{" "}
              <input
                type="text"
                inputMode="numeric"
                size={6}
                value={down}
                data-testid="download-limit"
                onInput={(e) => setDown((e.target as HTMLInputElement).value)}
              />
            </label>
          </div>
        </div>
        <div class="field">
          <span class="label">Game catalog</span>
          <div class="field-row">
            <span class="grow">
              {catalog ? <code>{catalog}</code> : `Bundled catalog (${settings.catalog_size} games)`}
              {settings.pinned_titles > 0 && (
                <span class="hint" data-testid="pins">
                  {" "}
                  {pinsLine(settings.pinned_titles, settings.catalog_name)}
                </span>
              )}
            </span>
            <button
              type="button"
              class="btn btn-secondary"
              onClick={async () => {
                const p = await onPickCatalog();
                if (p) setCatalog(p);
              }}
            >
              Choose file…
            </button>
            {catalog && (
              <button type="button" class="btn btn-secondary" onClick={() => setCatalog("")}>
                Use bundled
              </button>
            )}
          </div>
        </div>
        <div class="field about">
          <span class="label">Network</span>
          <span class="muted mono">
            {rt.status === "running"
              ? `Listening on ${rt.addr} · peer id ${rt.peer_id.slice(0, 8)}`
              : rt.status === "failed"
              ? rt.error.message
              : rt.status === "no_game_dir"
              ? "Not connected: choose a game folder first"
              : "Starting…"}
          </span>
          <span class="muted mono">Settings are saved in {settings.config_file}</span>
        </div>
        {error && (
          <div class="form-error" role="alert">
            <strong>{describeError(error).title}.</strong> {describeError(error).detail}
          </div>
        )}
        <p class="muted small">
          Changing the name, the catalog or auto-install restarts the network connection for a moment.
        </p>
      </div>
      <div class="modal-actions">
        <button type="button" class="btn btn-secondary" onClick={onClose}>Cancel</button>
        <button type="button" class="btn btn-primary" onClick={save} disabled={saving}>
          {saving ? "Saving…" : "Save"}
        </button>
      </div>
    </Modal>
  );
}
