/**
 * The window's state and the pure reducer that applies backend events to it (unit-tested
 * with `deno test`; no Tauri imports here).
 */
import type {
  AppError,
  ConnectionTest,
  GamesList,
  GameView,
  PeersList,
  PeerView,
  SettingsView,
  TransferTotals,
  UiEvent,
  UnreachableView,
} from "./bindings/index.ts";
import { describeError, failureTitle } from "./logic.ts";

/** A message in the corner. */
export interface Toast {
  id: number;
  level: "info" | "success" | "warning" | "error";
  title: string;
  detail?: string;
}

export interface AppState {
  games: GameView[];
  peerCount: number;
  /** Free bytes in the game folder (`null`: unknown). */
  freeBytes: number | null;
  /** Quit was chosen while something runs: these games would be interrupted. */
  quitAsked: string[] | null;
  /** Transfer rates and totals (about once a second). */
  totals: TransferTotals | null;
  peers: PeerView[];
  /** Peers heard of but not connected, with why ("Can't see someone?"). */
  unreachable: UnreachableView[];
  /** Answers to "Test" in the Peers panel, newest last (at most `MAX_TESTS`). */
  connectionTests: ConnectionTest[];
  /** Games whose last verify found damage: their cards offer Repair. */
  damaged: string[];
  settings: SettingsView | null;
  toasts: Toast[];
  nextToast: number;
  /** The first library answer arrived. */
  loaded: boolean;
}

export function initialState(): AppState {
  return {
    games: [],
    peerCount: 0,
    freeBytes: null,
    quitAsked: null,
    totals: null,
    peers: [],
    unreachable: [],
    connectionTests: [],
    damaged: [],
    settings: null,
    toasts: [],
    nextToast: 1,
    loaded: false,
  };
}

export type Msg =
  | { type: "event"; event: UiEvent }
  | { type: "games"; list: GamesList }
  | { type: "peers"; list: PeersList }
  | { type: "settings"; settings: SettingsView }
  | { type: "toast"; toast: Omit<Toast, "id"> }
  | { type: "error"; title: string; error: AppError }
  | { type: "dismiss"; id: number }
  | { type: "quit-answered" };

/** Connection test answers kept. */
export const MAX_TESTS = 5;

/** Most toasts shown at once; older ones drop off. */
export const MAX_TOASTS = 4;

export function reduce(s: AppState, msg: Msg): AppState {
  switch (msg.type) {
    case "event":
      return applyEvent(s, msg.event);
    case "quit-answered":
      return { ...s, quitAsked: null };
    case "games":
      return {
        ...s,
        games: msg.list.games,
        peerCount: msg.list.peer_count,
        freeBytes: msg.list.free_bytes,
        loaded: true,
      };
    case "peers":
      return { ...s, peers: msg.list.peers, unreachable: msg.list.unreachable };
    case "settings":
      return { ...s, settings: msg.settings };
    case "toast":
      return addToast(s, msg.toast);
    case "error":
      return errorToast(s, msg.title, msg.error);
    case "dismiss":
      return { ...s, toasts: s.toasts.filter((t) => t.id !== msg.id) };
  }
}

function addToast(s: AppState, t: Omit<Toast, "id">): AppState {
  const toasts = [...s.toasts, { ...t, id: s.nextToast }].slice(-MAX_TOASTS);
  return { ...s, toasts, nextToast: s.nextToast + 1 };
}

function errorToast(s: AppState, title: string, error: AppError): AppState {
  const { title: kindTitle, detail } = describeError(error);
  return addToast(s, { level: "error", title, detail: detail || kindTitle });
}

function patch(s: AppState, id: string, f: (g: GameView) => GameView): AppState {
  let hit = false;
  const games = s.games.map((g) => {
    if (g.id !== id) return g;
    hit = true;
    return f(g);
  });
  return hit ? { ...s, games } : s;
}

function nameOf(s: AppState, id: string): string {
  return s.games.find((g) => g.id === id)?.name ?? id;
}

/** Applies one backend event. */
export function applyEvent(s: AppState, ev: UiEvent): AppState {
  switch (ev.event) {
    case "games-list-updated":
      return {
        ...s,
        games: ev.payload.games,
        peerCount: ev.payload.peer_count,
        freeBytes: ev.payload.free_bytes,
        loaded: true,
      };
    case "game-download-begin": {
      const p = ev.payload;
      return patch(s, p.id, (g) => ({
        ...g,
        state: "downloading",
        operation: "downloading",
        progress: {
          id: p.id,
          operation: "downloading",
          bytes_done: p.verified_bytes,
          total_bytes: p.total_bytes,
          rate_bps: 0,
          eta_secs: null,
          peers: p.peers,
          peer_names: [],
        },
      }));
    }
    case "game-download-progress":
    case "game-install-progress":
    case "game-verify-progress": {
      const p = ev.payload;
      return patch(s, p.id, (g) => ({ ...g, operation: p.operation, progress: p }));
    }
    case "game-download-finished":
      return patch(s, ev.payload.id, (g) => ({ ...g, progress: null }));
    case "game-download-failed":
    case "game-install-failed":
    case "game-uninstall-failed": {
      const { id, error } = ev.payload;
      const next = patch(s, id, (g) => ({ ...g, operation: null, progress: null }));
      if (error.kind === "cancelled") return next;
      const what = ev.event === "game-download-failed"
        ? "download"
        : ev.event === "game-install-failed"
        ? "install"
        : "uninstall";
      return errorToast(next, failureTitle(what, nameOf(s, id)), error);
    }
    case "game-verify-begin":
      return patch(s, ev.payload.id, (g) => ({ ...g, operation: "verifying", progress: null }));
    case "game-verify-finished": {
      const r = ev.payload;
      const patched = patch(s, r.id, (g) => ({ ...g, operation: null, progress: null }));
      const others = s.damaged.filter((id) => id !== r.id);
      const next = { ...patched, damaged: r.ok ? others : [...others, r.id] };
      const shown = r.damaged.slice(0, 3).join(", ") + (r.damaged.length > 3 ? ", …" : "");
      return addToast(next, {
        level: r.ok ? "success" : "warning",
        title: r.ok ? `${r.name} is intact` : `${r.name} is damaged`,
        detail: r.ok ? r.summary : `${r.summary} ${shown}. Repair fetches only what is damaged.`,
      });
    }
    case "game-verify-failed": {
      const { id, error } = ev.payload;
      const next = patch(s, id, (g) => ({ ...g, operation: null, progress: null }));
      if (error.kind === "cancelled") return next;
      return errorToast(next, failureTitle("verify", nameOf(s, id)), error);
    }
    case "game-install-begin": {
      const id = ev.payload.id;
      return patch(s, id, (g) => ({
        ...g,
        operation: "installing",
        progress: {
          id,
          operation: "installing",
          bytes_done: 0,
          total_bytes: 0,
          rate_bps: 0,
          eta_secs: null,
          peers: 0,
          peer_names: [],
        },
      }));
    }
    case "game-install-finished": {
      const id = ev.payload.id;
      const next = patch(s, id, (g) => ({ ...g, operation: null, progress: null, installed: true }));
      return addToast(next, {
        level: "success",
        title: `${nameOf(s, id)} is installed`,
        detail: "Have fun!",
      });
    }
    case "game-uninstall-begin":
      return patch(s, ev.payload.id, (g) => ({ ...g, operation: "uninstalling", progress: null }));
    case "game-uninstall-finished": {
      const id = ev.payload.id;
      const next = patch(s, id, (g) => ({ ...g, operation: null, progress: null, installed: false }));
      return addToast(next, {
        level: "info",
        title: `${nameOf(s, id)} was uninstalled`,
        detail:
          "The download is kept, so installing it again is quick, and others can still get it from you.",
      });
    }
    case "peer-discovered": {
      const peers = [...s.peers.filter((p) => p.peer_id !== ev.payload.peer_id), ev.payload];
      peers.sort((a, b) => a.name.localeCompare(b.name));
      return { ...s, peers };
    }
    case "peer-lost":
      return { ...s, peers: s.peers.filter((p) => p.peer_id !== ev.payload.peer_id) };
    case "peer-count-updated":
      return { ...s, peerCount: ev.payload.count };
    case "peers-updated":
      return { ...s, peers: ev.payload.peers, unreachable: ev.payload.unreachable };
    case "settings-changed":
      return { ...s, settings: ev.payload };
    case "game-deleted": {
      const id = ev.payload.id;
      return addToast(s, {
        level: "info",
        title: `${nameOf(s, id)} was deleted from this PC`,
        detail: "Its files are gone; you can get it again from another player.",
      });
    }
    case "game-delete-failed": {
      const { id, error } = ev.payload;
      const next = patch(s, id, (g) => ({ ...g, operation: null, progress: null }));
      return errorToast(next, failureTitle("delete", nameOf(s, id)), error);
    }
    case "quit-requested":
      return { ...s, quitAsked: ev.payload.busy };
    case "transfer-totals":
      return { ...s, totals: ev.payload };
    case "connection-tested":
      return { ...s, connectionTests: [...s.connectionTests, ev.payload].slice(-MAX_TESTS) };
    case "notice": {
      const level = ev.payload.level;
      return addToast(s, {
        level,
        title: level === "error" ? "Something failed" : level === "warning" ? "Heads up" : "Note",
        detail: ev.payload.message,
      });
    }
  }
}
