/**
 * The backend: typed wrappers over the Tauri commands and events of src-tauri. Payload types
 * come from `bindings/`, generated from the Rust types.
 */
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open } from "@tauri-apps/plugin-dialog";
import type { GamesList, PeersList, SettingsUpdate, SettingsView, UiEvent } from "./bindings/index.ts";
import { toAppError } from "./logic.ts";

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    // Commands reject with `{kind, message}`; anything else is wrapped the same way.
    throw toAppError(e);
  }
}

export const api = {
  requestGames: () => call<GamesList>("request_games"),
  installGame: (id: string) => call<void>("install_game", { id }),
  updateGame: (id: string) => call<void>("update_game", { id }),
  installUnverified: (id: string) => call<void>("install_unverified", { id }),
  playGame: (id: string) => call<void>("play_game", { id }),
  uninstallGame: (id: string) => call<void>("uninstall_game", { id }),
  verifyGame: (id: string, repair: boolean) => call<void>("verify_game", { id, repair }),
  cancelDownload: (id: string) => call<void>("cancel_download", { id }),
  deleteGame: (id: string) => call<void>("delete_game", { id }),
  openGameFolder: (id: string) => call<void>("open_game_folder", { id }),
  quitApp: () => call<void>("quit_app"),
  startNow: (id: string) => call<void>("start_now", { id }),
  moveInQueue: (id: string, up: boolean) => call<void>("move_in_queue", { id, up }),
  listPeers: () => call<PeersList>("list_peers"),
  addPeer: (address: string) => call<SettingsView>("add_peer", { address }),
  forgetPeer: (address: string) => call<SettingsView>("forget_peer", { address }),
  testConnection: (address: string) => call<void>("test_connection", { address }),
  getSettings: () => call<SettingsView>("get_settings"),
  updateGameDirectory: (path: string) => call<SettingsView>("update_game_directory", { path }),
  updateSettings: (update: SettingsUpdate) => call<SettingsView>("update_settings", { update }),
};

type EventName = UiEvent["event"];

// Every event name, checked against the generated union: a new backend event that is missing
// here fails `deno check`.
const EVENT_NAMES: { [K in EventName]: true } = {
  "games-list-updated": true,
  "game-download-begin": true,
  "game-download-progress": true,
  "game-download-finished": true,
  "game-download-failed": true,
  "game-install-begin": true,
  "game-install-progress": true,
  "game-install-finished": true,
  "game-install-failed": true,
  "game-uninstall-begin": true,
  "game-uninstall-finished": true,
  "game-uninstall-failed": true,
  "peer-discovered": true,
  "peer-lost": true,
  "peer-count-updated": true,
  "peers-updated": true,
  "settings-changed": true,
  "notice": true,
  "game-deleted": true,
  "game-delete-failed": true,
  "quit-requested": true,
  "transfer-totals": true,
  "connection-tested": true,
  "game-verify-begin": true,
  "game-verify-progress": true,
  "game-verify-finished": true,
  "game-verify-failed": true,
};

/** Subscribes to every backend event; resolves to a function that unsubscribes. */
export async function listenAll(handler: (ev: UiEvent) => void): Promise<UnlistenFn> {
  const names = Object.keys(EVENT_NAMES) as EventName[];
  const offs = await Promise.all(
    names.map((event) => listen(event, (e) => handler({ event, payload: e.payload } as UiEvent))),
  );
  return () => offs.forEach((off) => off());
}

/** Opens the folder picker; `null` when the player cancels. */
export async function pickFolder(current: string | undefined): Promise<string | null> {
  const picked = await open({
    directory: true,
    multiple: false,
    defaultPath: current,
    title: "Choose a game folder",
  });
  return typeof picked === "string" ? picked : null;
}

/** Opens the file picker for a catalog JSON; `null` when the player cancels. */
export async function pickCatalog(): Promise<string | null> {
  const picked = await open({
    directory: false,
    multiple: false,
    title: "Choose a catalog file",
    filters: [{ name: "Catalog", extensions: ["json"] }],
  });
  return typeof picked === "string" ? picked : null;
}
