import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { applyEvent, initialState, MAX_TESTS, MAX_TOASTS, reduce } from "../src/store.ts";
import { game } from "./fixtures.ts";

const withGames = () =>
  applyEvent(initialState(), {
    event: "games-list-updated",
    payload: {
      games: [game(), game({ id: "teeworlds", name: "Teeworlds" })],
      peer_count: 2,
      free_bytes: 5_000_000_000,
    },
  });

Deno.test("games-list-updated replaces the library and peer count", () => {
  const s = withGames();
  assertEquals(s.loaded, true);
  assertEquals(s.games.map((g) => g.id), ["quake3", "teeworlds"]);
  assertEquals(s.peerCount, 2);
});

Deno.test("download begin/progress/finished drive the card's progress", () => {
  let s = applyEvent(withGames(), {
    event: "game-download-begin",
    payload: { id: "quake3", version: "1", total_bytes: 1000, verified_bytes: 100, peers: 2 },
  });
  let g = s.games[0];
  assertEquals([g.state, g.operation, g.progress?.bytes_done, g.progress?.total_bytes], [
    "downloading",
    "downloading",
    100,
    1000,
  ]);
  s = applyEvent(s, {
    event: "game-download-progress",
    payload: {
      id: "quake3",
      operation: "downloading",
      bytes_done: 600,
      total_bytes: 1000,
      rate_bps: 10,
      eta_secs: 40,
      peers: 2,
      peer_names: [],
    },
  });
  assertEquals(s.games[0].progress?.bytes_done, 600);
  assertEquals(s.games[1].progress, null, "other games untouched");
  s = applyEvent(s, {
    event: "game-download-finished",
    payload: { id: "quake3", version: "1", bytes: 900, seconds: 2, peers: 2 },
  });
  g = s.games[0];
  assertEquals(g.progress, null);
  assertEquals(s.toasts, []);
});

Deno.test("a cancelled download is quiet; a failed one says what and why", () => {
  const s0 = withGames();
  const cancelled = applyEvent(s0, {
    event: "game-download-failed",
    payload: { id: "quake3", error: { kind: "cancelled", message: "quake3: cancelled" } },
  });
  assertEquals(cancelled.toasts, []);
  const failed = applyEvent(s0, {
    event: "game-download-failed",
    payload: { id: "quake3", error: { kind: "network", message: "peer 10.0.0.4 stopped answering" } },
  });
  assertEquals(failed.toasts.map((t) => [t.level, t.title, t.detail]), [[
    "error",
    "Downloading Quake III Arena failed",
    "Peer 10.0.0.4 stopped answering.",
  ]]);
});

Deno.test("install and uninstall finish with a friendly toast", () => {
  let s = applyEvent(withGames(), { event: "game-install-begin", payload: { id: "quake3", update: false } });
  assertEquals(s.games[0].operation, "installing");
  s = applyEvent(s, {
    event: "game-install-finished",
    payload: { id: "quake3", name: "Quake III Arena", version: "1" },
  });
  assertEquals([s.games[0].operation, s.games[0].installed], [null, true]);
  assertEquals(s.toasts.at(-1)?.title, "Quake III Arena is installed");
  s = applyEvent(s, { event: "game-uninstall-begin", payload: { id: "quake3" } });
  assertEquals(s.games[0].operation, "uninstalling");
  s = applyEvent(s, { event: "game-uninstall-finished", payload: { id: "quake3" } });
  assertEquals([s.games[0].operation, s.games[0].installed], [null, false]);
  assertEquals(s.toasts.at(-1)?.title, "Quake III Arena was uninstalled");
});

Deno.test("peers come and go; the count follows its own event", () => {
  const peer = { peer_id: "aa", short_id: "aa", name: "seedbox", addr: "10.0.0.2:1", games: [] };
  let s = applyEvent(initialState(), { event: "peer-discovered", payload: peer });
  s = applyEvent(s, { event: "peer-discovered", payload: { ...peer, name: "seedbox-renamed" } });
  assertEquals(s.peers.map((p) => p.name), ["seedbox-renamed"]);
  s = applyEvent(s, { event: "peer-count-updated", payload: { count: 1 } });
  assertEquals(s.peerCount, 1);
  s = applyEvent(s, { event: "peer-lost", payload: { peer_id: "aa", name: "seedbox", reason: "goodbye" } });
  assertEquals(s.peers, []);
});

Deno.test("toasts are capped and dismissable", () => {
  let s = initialState();
  for (let i = 0; i < MAX_TOASTS + 2; i++) {
    s = applyEvent(s, { event: "notice", payload: { level: "warning", message: `n${i}` } });
  }
  assertEquals(s.toasts.length, MAX_TOASTS);
  assertEquals(s.toasts[0].detail, "n2");
  s = reduce(s, { type: "dismiss", id: s.toasts[0].id });
  assertEquals(s.toasts.length, MAX_TOASTS - 1);
});

Deno.test("quit asked while something runs, then answered; delete events toast", () => {
  let s = reduce(initialState(), {
    type: "games",
    list: { games: [game()], peer_count: 1, free_bytes: 123 },
  });
  assertEquals(s.freeBytes, 123);
  s = applyEvent(s, { event: "quit-requested", payload: { busy: ["Quake III Arena"] } });
  assertEquals(s.quitAsked, ["Quake III Arena"]);
  s = reduce(s, { type: "quit-answered" });
  assertEquals(s.quitAsked, null);
  s = applyEvent(s, { event: "game-deleted", payload: { id: "quake3" } });
  assertEquals(s.toasts.at(-1)?.title, "Quake III Arena was deleted from this PC");
  s = applyEvent(s, {
    event: "game-delete-failed",
    payload: { id: "quake3", error: { kind: "busy", message: "quake3 is running" } },
  });
  assertEquals(s.toasts.at(-1)?.level, "error");
});

Deno.test("the peers list carries who was heard but not reached", () => {
  const s = reduce(initialState(), {
    type: "peers",
    list: {
      peers: [],
      unreachable: [{
        addr: "10.0.0.5:41800",
        name: "oldbox",
        via: "beacon",
        reason: "it runs another lanspread",
      }],
    },
  });
  assertEquals(s.unreachable.map((u) => u.name), ["oldbox"]);
  const t = applyEvent(s, { event: "peers-updated", payload: { peers: [], unreachable: [] } });
  assertEquals(t.unreachable, []);
});

Deno.test("connection-tested answers are kept newest last, at most MAX_TESTS", () => {
  let s = initialState();
  for (let i = 0; i < MAX_TESTS + 2; i++) {
    s = applyEvent(s, {
      event: "connection-tested",
      payload: {
        addr: `10.0.0.${i}:41800`,
        reachable: i % 2 === 0,
        name: i % 2 === 0 ? `box${i}` : null,
        millis: 12,
        message: i % 2 === 0 ? `Connected to box${i}` : `No answer from 10.0.0.${i}:41800`,
      },
    });
  }
  assertEquals(s.connectionTests.length, MAX_TESTS);
  assertEquals(s.connectionTests[0].addr, "10.0.0.2:41800");
  assertEquals(s.connectionTests[MAX_TESTS - 1].message, "Connected to box6");
});

Deno.test("verify: progress on the card, then a toast saying what was found", () => {
  let s = withGames();
  s = applyEvent(s, { event: "game-verify-begin", payload: { id: "quake3" } });
  assertEquals(s.games[0].operation, "verifying");
  s = applyEvent(s, {
    event: "game-verify-progress",
    payload: {
      id: "quake3",
      operation: "verifying",
      bytes_done: 5,
      total_bytes: 10,
      rate_bps: 0,
      eta_secs: null,
      peers: 0,
      peer_names: [],
    },
  });
  assertEquals(s.games[0].progress?.bytes_done, 5);
  const found = applyEvent(s, {
    event: "game-verify-finished",
    payload: {
      id: "quake3",
      name: "Quake III Arena",
      ok: false,
      summary: "Quake III Arena: 2 file(s) damaged or missing.",
      damaged: ["quake3.part2.rar", "local/baseq3/pak0.pk3"],
      changed_by_player: ["baseq3/q3config.cfg"],
    },
  });
  assertEquals([found.games[0].operation, found.games[0].progress], [null, null]);
  const toast = found.toasts[found.toasts.length - 1];
  assertEquals([toast.level, toast.title], ["warning", "Quake III Arena is damaged"]);
  assertEquals(
    toast.detail,
    "Quake III Arena: 2 file(s) damaged or missing. quake3.part2.rar, local/baseq3/pak0.pk3. Repair fetches only what is damaged.",
  );
  assertEquals(found.damaged, ["quake3"], "the card offers Repair");
  const repaired = applyEvent(found, {
    event: "game-verify-finished",
    payload: {
      id: "quake3",
      name: "Quake III Arena",
      ok: true,
      summary: "Quake III Arena: every file checked, nothing damaged.",
      damaged: [],
      changed_by_player: [],
    },
  });
  assertEquals(repaired.damaged, []);
  const cancelled = applyEvent(s, {
    event: "game-verify-failed",
    payload: { id: "quake3", error: { kind: "cancelled", message: "quake3: verify cancelled" } },
  });
  assertEquals([cancelled.games[0].operation, cancelled.toasts.length], [null, s.toasts.length]);
});
