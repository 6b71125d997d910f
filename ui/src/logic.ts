/**
 * Pure library logic: which badge and which buttons a game shows, filtering and sorting, and
 * errors in plain words. No DOM, no Tauri: unit-tested with `deno test`.
 */
import type { AppError, ErrorKind, GameView } from "./bindings/index.ts";
import { formatBytes, formatEta, formatRate } from "./format.ts";

/** Colour family of a badge. */
export type Tone = "neutral" | "info" | "active" | "success" | "warning" | "muted";

/** The state badge on a game card. */
export interface Badge {
  label: string;
  tone: Tone;
}

/** What a button does. */
export type ActionKind =
  | "install"
  | "resume"
  | "update"
  | "install_unverified"
  | "play"
  | "uninstall"
  | "cancel"
  | "open_folder"
  | "delete"
  | "verify"
  | "repair"
  | "discard"
  | "start_now"
  | "queue_up"
  | "queue_down";

/** A button on a game card. */
export interface Action {
  kind: ActionKind;
  label: string;
  /** Primary (filled), secondary (outlined) or danger (red outline). */
  style: "primary" | "secondary" | "danger";
  /** Greyed out, with `hint` saying why. */
  disabled: boolean;
  hint?: string;
}

/** Percent 0–100 of `done / total`, floored; `null` when total is unknown. */
export function percent(done: number, total: number): number | null {
  if (!(total > 0)) return null;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

function peersLabel(n: number): string {
  return n === 1 ? "On 1 peer" : `On ${n} peers`;
}

/** Progress of a paused download in percent, if known. */
export function pausedPercent(g: GameView): number | null {
  return g.downloaded_bytes == null ? null : percent(g.downloaded_bytes, g.size_bytes);
}

/** The badge for a game's state and running operation. */
export function badgeFor(g: GameView): Badge {
  const p = g.progress;
  switch (g.operation) {
    case "preparing":
      return { label: "Preparing…", tone: "active" };
    case "downloading": {
      const pc = p ? percent(p.bytes_done, p.total_bytes) : null;
      return { label: pc == null ? "Downloading" : `Downloading ${pc} %`, tone: "active" };
    }
    case "installing": {
      const pc = p ? percent(p.bytes_done, p.total_bytes) : null;
      return { label: pc == null ? "Installing…" : `Installing ${pc} %`, tone: "active" };
    }
    case "uninstalling":
      return { label: "Uninstalling…", tone: "active" };
    case "deleting":
      return { label: "Deleting…", tone: "active" };
    case "verifying": {
      const pc = p ? percent(p.bytes_done, p.total_bytes) : null;
      return { label: pc == null ? "Verifying…" : `Verifying ${pc} %`, tone: "active" };
    }
  }
  if (g.running) return { label: "Running", tone: "active" };
  if (g.queue_position != null) return { label: `Queued · ${ordinal(g.queue_position)}`, tone: "info" };
  switch (g.state) {
    case "remote_only":
      return { label: peersLabel(g.peer_count), tone: "info" };
    case "downloading":
      return { label: "Downloading", tone: "active" };
    case "paused": {
      const pc = pausedPercent(g);
      return { label: pc == null ? "Paused" : `Paused at ${pc} %`, tone: "warning" };
    }
    case "downloaded":
      return { label: "Downloaded", tone: "neutral" };
    case "installed":
      return { label: "Installed", tone: "success" };
    case "update_available":
      return { label: "Update available", tone: "warning" };
    case "update_downloaded":
      return { label: "Update ready", tone: "warning" };
    case "local_only":
      return { label: g.installed ? "Installed · only here" : "Only on this PC", tone: "muted" };
  }
}

const NO_PEERS_HINT = "No peer on the network has this game right now";

/**
 * The button for a newer version only one host offers (the trust rule does not take it
 * silently), or `null`.
 */
export function unverifiedAction(g: GameView): Action | null {
  if (g.offered_version == null || g.operation != null) return null;
  const by = g.offered_by.length > 0 ? g.offered_by.join(", ") : "one peer";
  return {
    kind: "install_unverified",
    label: `Get v${g.offered_version} (unverified)`,
    style: "secondary",
    disabled: false,
    hint: `Only ${by} offers v${g.offered_version}; no second machine vouches for its files`,
  };
}

/** The line about an unverified offer or copy, or `null`. */
export function trustLine(g: GameView): string | null {
  if (g.offered_version != null) {
    const by = g.offered_by.length > 0 ? g.offered_by.join(", ") : "one peer";
    return `v${g.offered_version} offered by ${by} only · unverified`;
  }
  if (g.unverified && g.local_version) return `v${g.local_version} taken unverified`;
  return null;
}

/** The buttons a game offers, first one primary. */
export function actionsFor(g: GameView): Action[] {
  const base = baseActions(g);
  const extra = unverifiedAction(g);
  if (extra == null) return base;
  // With nothing else to press (no trusted version anywhere), the offer is the primary button.
  if (base.length === 0 || base.every((a) => a.disabled)) {
    return [
      { ...extra, style: "primary" },
      ...base.map((a): Action => ({ ...a, style: a.style === "primary" ? "secondary" : a.style })),
    ];
  }
  return [...base, extra];
}

/** `1st`, `2nd`, `3rd`, `4th`… */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n}${suffix}`;
}

function baseActions(g: GameView): Action[] {
  if (g.operation === "uninstalling" || g.operation === "deleting") return [];
  if (g.queue_position != null) {
    return [
      {
        kind: "start_now",
        label: "Start now",
        style: "primary",
        disabled: false,
        hint: "Download it now, beside the one running",
      },
      { kind: "cancel", label: "Remove from queue", style: "secondary", disabled: false },
    ];
  }
  if (g.operation != null) {
    return [{ kind: "cancel", label: "Cancel", style: "secondary", disabled: false }];
  }
  if (g.running) {
    return [
      { kind: "play", label: "Running", style: "primary", disabled: true, hint: `${g.name} is running` },
      {
        kind: "uninstall",
        label: "Uninstall",
        style: "danger",
        disabled: true,
        hint: "Quit the game first: its files cannot change while it runs",
      },
    ];
  }
  const play: Action = { kind: "play", label: "Play", style: "primary", disabled: false };
  const uninstall: Action = { kind: "uninstall", label: "Uninstall", style: "danger", disabled: false };
  const noPeers = g.peer_count === 0;
  switch (g.state) {
    case "remote_only":
      return [{
        kind: "install",
        label: "Install",
        style: "primary",
        disabled: noPeers,
        hint: noPeers ? NO_PEERS_HINT : undefined,
      }];
    case "downloading":
      return [{ kind: "cancel", label: "Cancel", style: "secondary", disabled: false }];
    case "paused":
      return [{
        kind: "resume",
        label: "Resume",
        style: "primary",
        disabled: noPeers,
        hint: noPeers ? `${NO_PEERS_HINT}; it resumes when one appears` : undefined,
      }];
    case "downloaded":
      return [{ kind: "install", label: "Install", style: "primary", disabled: false }];
    case "installed":
      return [play, uninstall];
    case "update_available": {
      const update: Action = { kind: "update", label: "Update", style: "primary", disabled: false };
      if (g.installed) return [update, { ...play, style: "secondary" }, uninstall];
      return [update, { kind: "install", label: "Install", style: "secondary", disabled: false }];
    }
    case "update_downloaded":
      // The newer version is already on disk: installing it needs no peer.
      return [
        {
          kind: "install",
          label: "Install update",
          style: "primary",
          disabled: false,
          hint: g.installed_version && g.local_version
            ? `Installs v${g.local_version} over v${g.installed_version}; your saves and settings stay`
            : undefined,
        },
        { ...play, style: "secondary" },
        uninstall,
      ];
    case "local_only":
      return g.installed
        ? [play, uninstall]
        : [{ kind: "install", label: "Install", style: "primary", disabled: false }];
  }
}

/**
 * The small links under a card's buttons: Repair when the last verify found damage, Open
 * folder for a game on disk, Verify and Delete for a downloaded game, Discard for a paused
 * download. None while an operation runs; Repair, Verify and Delete wait for the game to exit.
 */
export function linksFor(g: GameView, damaged = false): Action[] {
  if (g.operation != null || g.queue_position != null) return [];
  const out: Action[] = [];
  if (damaged && g.downloaded) {
    out.push({
      kind: "repair",
      label: "Repair",
      style: "primary",
      disabled: g.running,
      hint: g.running
        ? "Quit the game first"
        : "Fetch the damaged pieces from other players and extract the damaged files again; your own changes stay",
    });
  }
  if (g.installed || g.downloaded) {
    out.push({ kind: "open_folder", label: "Open folder", style: "secondary", disabled: false });
  }
  if (g.downloaded) {
    out.push({
      kind: "verify",
      label: "Verify",
      style: "secondary",
      disabled: g.running,
      hint: g.running
        ? "Quit the game first"
        : "Re-check every downloaded byte against the other players' copies, and the installed files",
    });
  }
  if (g.downloaded || g.installed) {
    out.push({
      kind: "delete",
      label: "Delete",
      style: "danger",
      disabled: g.running,
      hint: g.running ? "Quit the game first: its files cannot change while it runs" : undefined,
    });
  } else if (g.state === "paused") {
    out.push({ kind: "discard", label: "Discard download", style: "danger", disabled: false });
  }
  return out;
}

/**
 * Install is refused up front when the game cannot fit: the download, and with auto-install
 * the install next to it, against the free space of the game folder. `null` when it fits or
 * the free space is unknown.
 */
export function spaceProblem(g: GameView, freeBytes: number | null, autoInstall: boolean): string | null {
  if (freeBytes == null || g.downloaded) return null;
  const missing = Math.max(0, g.size_bytes - (g.downloaded_bytes ?? 0));
  const needed = missing + (autoInstall ? g.size_bytes : 0);
  if (needed <= freeBytes) return null;
  return `Needs ${formatBytes(needed)}${autoInstall ? " (download and install)" : ""}; ${
    formatBytes(freeBytes)
  } free in the game folder`;
}

/** The buttons, with Install and Resume refused when the game cannot fit. */
export function actionsWithSpace(g: GameView, freeBytes: number | null, autoInstall: boolean): Action[] {
  const problem = spaceProblem(g, freeBytes, autoInstall);
  const acts = actionsFor(g);
  if (problem == null) return acts;
  return acts.map((a) =>
    a.kind === "install" || a.kind === "resume" || a.kind === "update"
      ? { ...a, disabled: true, hint: problem }
      : a
  );
}

/** The Downloads panel: running downloads first, then the queue in order. */
export function downloadsOf(games: GameView[]): { running: GameView[]; queued: GameView[] } {
  const running = games.filter((g) => g.operation === "downloading" || g.operation === "preparing");
  const queued = games.filter((g) => g.queue_position != null).sort((a, b) =>
    (a.queue_position ?? 0) - (b.queue_position ?? 0)
  );
  return { running, queued };
}

/** One line per running download: `"120 MB of 503 MB · 25.0 MB/s · 15s left · from seedbox, ana"`. */
export function downloadLine(g: GameView): string {
  const p = g.progress;
  if (g.operation === "preparing" || !p) return `Asking ${peerCountLabel(g.peer_count)}…`;
  const parts = [`${formatBytes(p.bytes_done)} of ${formatBytes(p.total_bytes)}`];
  if (p.rate_bps >= MIN_SHOWN_RATE) {
    parts.push(formatRate(p.rate_bps));
    if (p.eta_secs != null) parts.push(`${formatEta(p.eta_secs)} left`);
  }
  if (p.peer_names.length > 0) parts.push(`from ${p.peer_names.join(", ")}`);
  return parts.join(" · ");
}

/** Below this rate (bytes/s) speed and ETA are not shown: they would be noise. */
export const MIN_SHOWN_RATE = 10_000;

/** The line under a progress bar: `"120 MB of 503 MB · 25.0 MB/s · 15s left"`. */
export function progressLine(g: GameView): string | null {
  const p = g.progress;
  if (g.operation === "preparing") {
    return `Asking ${g.peer_count === 1 ? "1 peer" : `${g.peer_count} peers`}…`;
  }
  if (!p) return null;
  if (p.operation === "uninstalling") return "Removing installed files…";
  if (p.operation === "verifying") {
    return p.total_bytes > 0
      ? `Checking ${formatBytes(p.bytes_done)} of ${formatBytes(p.total_bytes)}`
      : "Checking…";
  }
  if (p.operation === "installing") {
    return p.total_bytes > 0
      ? `Extracting ${formatBytes(p.bytes_done)} of ${formatBytes(p.total_bytes)}`
      : "Extracting…";
  }
  const parts = [`${formatBytes(p.bytes_done)} of ${formatBytes(p.total_bytes)}`];
  if (p.rate_bps >= MIN_SHOWN_RATE) {
    parts.push(formatRate(p.rate_bps));
    if (p.eta_secs != null) parts.push(`${formatEta(p.eta_secs)} left`);
  } else {
    // The first moments (or a stall) give absurd estimates; say what is going on instead.
    parts.push("waiting for data…");
  }
  if (p.peers > 1) parts.push(`from ${p.peers} peers`);
  return parts.join(" · ");
}

/** Progress bar fill 0–100 (`null`: no bar; `-1`: indeterminate). */
export function progressFill(g: GameView): number | null {
  const p = g.progress;
  if (g.operation === "preparing" || g.operation === "uninstalling") return -1;
  if (!p) return g.state === "paused" ? pausedPercent(g) : null;
  const pc = percent(p.bytes_done, p.total_bytes);
  return pc ?? -1;
}

/** Library filters. */
export type Filter = "all" | "installed" | "available" | "active" | "updates";

export const FILTERS: { id: Filter; label: string }[] = [
  { id: "all", label: "All" },
  { id: "installed", label: "Installed" },
  { id: "available", label: "Not installed" },
  { id: "active", label: "In progress" },
  { id: "updates", label: "Updates" },
];

function matchesFilter(g: GameView, f: Filter): boolean {
  switch (f) {
    case "all":
      return true;
    case "installed":
      return g.installed;
    case "available":
      return !g.installed;
    case "active":
      return g.operation != null || g.state === "paused" || g.state === "downloading";
    case "updates":
      return g.state === "update_available" || g.state === "update_downloaded";
  }
}

/** Sort orders. */
export type Sort = "name" | "size" | "players" | "year" | "status";

export const SORTS: { id: Sort; label: string }[] = [
  { id: "name", label: "Name" },
  { id: "status", label: "Status" },
  { id: "size", label: "Size" },
  { id: "players", label: "Players" },
  { id: "year", label: "Release year" },
];

const STATUS_RANK: Record<GameView["state"], number> = {
  downloading: 0,
  paused: 1,
  update_available: 2,
  update_downloaded: 2,
  installed: 3,
  downloaded: 4,
  local_only: 5,
  remote_only: 6,
};

function byName(a: GameView, b: GameView): number {
  return a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
}

/** Games matching `query` (name, genre or id, case-insensitive) and `filter`, sorted. */
export function visibleGames(games: GameView[], query: string, filter: Filter, sort: Sort): GameView[] {
  const q = query.trim().toLowerCase();
  const out = games.filter((g) =>
    matchesFilter(g, filter) &&
    (q === "" || g.name.toLowerCase().includes(q) || g.genre.toLowerCase().includes(q) || g.id.includes(q))
  );
  const cmp: Record<Sort, (a: GameView, b: GameView) => number> = {
    name: byName,
    size: (a, b) => b.size_bytes - a.size_bytes || byName(a, b),
    players: (a, b) => b.max_players - a.max_players || byName(a, b),
    year: (a, b) => b.release_year - a.release_year || byName(a, b),
    status: (a, b) =>
      (a.operation ? -1 : STATUS_RANK[a.state]) - (b.operation ? -1 : STATUS_RANK[b.state]) || byName(a, b),
  };
  return out.sort(cmp[sort]);
}

/** How many games each filter would show. */
export function filterCounts(games: GameView[]): Record<Filter, number> {
  const counts = { all: 0, installed: 0, available: 0, active: 0, updates: 0 };
  for (const g of games) {
    for (const f of FILTERS) if (matchesFilter(g, f.id)) counts[f.id]++;
  }
  return counts;
}

const TITLES: Record<ErrorKind, string> = {
  invalid_input: "That did not work",
  not_found: "Not found",
  busy: "Busy right now",
  no_peers: "No peer has this game right now",
  disagreement: "Peers disagree about this game",
  unverified: "Only one machine offers this version",
  integrity: "A peer sent damaged data",
  network: "Network problem",
  io: "Could not read or write files",
  disk_full: "Not enough disk space",
  unpack: "The game could not be extracted",
  cancelled: "Cancelled",
  game_dir: "Game folder problem",
  not_available: "Not available yet",
  not_running: "lanspread is not connected",
  config: "Settings problem",
  internal: "Something went wrong",
};

/** Anything thrown by a command, as an `AppError`. */
export function toAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "kind" in e && "message" in e) {
    const { kind, message } = e as { kind: unknown; message: unknown };
    if (typeof kind === "string" && kind in TITLES && typeof message === "string") {
      return { kind: kind as ErrorKind, message };
    }
  }
  const message = e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e);
  return { kind: "internal", message };
}

/** A short title for an error, and its message as a sentence. */
export function describeError(e: AppError): { title: string; detail: string } {
  const m = e.message.trim();
  const detail = m === "" ? "" : m[0].toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? "" : ".");
  return { title: TITLES[e.kind] ?? TITLES.internal, detail };
}

/** What failed, in words: `"Installing Quake III Arena failed"`. */
export function failureTitle(what: "download" | "install" | "uninstall" | ActionKind, game: string): string {
  const verb: Record<string, string> = {
    download: "Downloading",
    install: "Installing",
    resume: "Resuming",
    update: "Updating",
    install_unverified: "Getting",
    play: "Starting",
    uninstall: "Uninstalling",
    cancel: "Cancelling",
    open_folder: "Opening the folder of",
    start_now: "Starting",
    queue_up: "Moving",
    queue_down: "Moving",
    delete: "Deleting",
    verify: "Verifying",
    repair: "Repairing",
    discard: "Discarding the download of",
  };
  return `${verb[what]} ${game} failed`;
}

/** `"1 peer"`, `"3 peers"`. */
export function peerCountLabel(n: number): string {
  return n === 1 ? "1 peer" : `${n} peers`;
}

/** Details line of a card: `"FPS · 16 players"`. */
export function detailsLine(g: GameView): string {
  const parts = [g.genre];
  if (g.max_players > 0) parts.push(g.max_players === 1 ? "1 player" : `${g.max_players} players`);
  return parts.join(" · ");
}

/** Size and version line of a card: `"503 MB · v20250314"`, `"503 MB · v1 → v2"`. */
export function sizeVersionLine(g: GameView): string {
  const parts: string[] = [];
  if (g.size_bytes > 0) parts.push(formatBytes(g.size_bytes));
  // What is installed, when it is not what the payload or the peers have.
  const installed = g.installed_version && g.installed_version !== "unknown" ? g.installed_version : null;
  if (g.state === "update_available" && g.latest_version && (installed ?? g.local_version)) {
    parts.push(`v${installed ?? g.local_version} → v${g.latest_version}`);
  } else if (g.state === "update_downloaded" && installed && g.local_version) {
    parts.push(`v${installed} → v${g.local_version}`);
  } else if (g.local_version ?? g.latest_version) {
    parts.push(`v${g.local_version ?? g.latest_version}`);
  }
  return parts.join(" · ");
}

/**
 * A path for a narrow label: the home directory as `~`, and long paths cut at the front
 * (`…/lan/games`), keeping the end, which names the folder.
 */
export function shortPath(path: string, home: string | null, max = 36): string {
  let p = path;
  if (home && home.length > 1 && (p === home || p.startsWith(home + "/") || p.startsWith(home + "\\"))) {
    p = "~" + p.slice(home.length);
  }
  if (p.length <= max) return p;
  return "…" + p.slice(p.length - (max - 1));
}

/** The home directory, derived from the default game folder (`<home>/Games/lanspread`). */
export function homeFrom(defaultGameDir: string): string | null {
  const m = defaultGameDir.match(/^(.*)[\\/]Games[\\/]lanspread$/);
  return m ? m[1] : null;
}

/** `"12 titles pinned by LAN Party 2026"`: versions an organiser's catalog vouches for. */
export function pinsLine(n: number, catalogName: string | null): string {
  const titles = n === 1 ? "1 title" : `${n} titles`;
  return `${titles} pinned by ${catalogName ?? "this catalog"}`;
}
