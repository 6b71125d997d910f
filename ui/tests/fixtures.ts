import type { GameView } from "../src/bindings/index.ts";

/** A game as the backend sends it; override what a test cares about. */
export function game(over: Partial<GameView> = {}): GameView {
  return {
    id: "quake3",
    name: "Quake III Arena",
    description: "Arena shooter",
    genre: "FPS",
    max_players: 16,
    release_year: 1999,
    art: "art/quake3.svg",
    size_bytes: 500_000_000,
    state: "remote_only",
    operation: null,
    downloaded: false,
    installed: false,
    local_version: null,
    installed_version: null,
    queue_position: null,
    latest_version: "20250314",
    peer_count: 2,
    offered_version: null,
    offered_by: [],
    unverified: false,
    running: false,
    downloaded_bytes: null,
    progress: null,
    ...over,
  };
}
