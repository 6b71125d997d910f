import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  actionsFor,
  actionsWithSpace,
  badgeFor,
  describeError,
  downloadLine,
  downloadsOf,
  filterCounts,
  homeFrom,
  linksFor,
  ordinal,
  percent,
  pinsLine,
  progressFill,
  progressLine,
  shortPath,
  sizeVersionLine,
  spaceProblem,
  toAppError,
  trustLine,
  visibleGames,
} from "../src/logic.ts";
import { game } from "./fixtures.ts";

const kinds = (g: ReturnType<typeof game>) => actionsFor(g).map((a) => a.kind);

Deno.test("an unverified offer: a line naming who offers it and a secondary Get button", () => {
  const g = game({
    state: "installed",
    installed: true,
    downloaded: true,
    local_version: "1",
    latest_version: "1",
    offered_version: "2",
    offered_by: ["laptop"],
  });
  assertEquals(trustLine(g), "v2 offered by laptop only · unverified");
  assertEquals(actionsFor(g).map((a) => [a.kind, a.style, a.label]), [
    ["play", "primary", "Play"],
    ["uninstall", "danger", "Uninstall"],
    ["install_unverified", "secondary", "Get v2 (unverified)"],
  ]);
  // Never while an operation runs, and no line without an offer.
  assertEquals(kinds({ ...g, operation: "downloading" }), ["cancel"]);
  assertEquals(trustLine(game()), null);
  // A copy taken unverified says so.
  assertEquals(trustLine(game({ local_version: "2", unverified: true })), "v2 taken unverified");
  // With every other button greyed out, the offer is the primary one.
  const alone = actionsFor(game({ peer_count: 0, offered_version: "2", offered_by: ["a", "b"] }));
  assertEquals(alone.map((a) => [a.kind, a.style]), [["install_unverified", "primary"], [
    "install",
    "secondary",
  ]]);
  assertEquals(alone[0].hint, "Only a, b offers v2; no second machine vouches for its files");
});

Deno.test("remote-only: 'On N peers' and Install", () => {
  assertEquals(badgeFor(game({ peer_count: 2 })), { label: "On 2 peers", tone: "info" });
  assertEquals(badgeFor(game({ peer_count: 1 })).label, "On 1 peer");
  const [install] = actionsFor(game());
  assertEquals([install.kind, install.style, install.disabled], ["install", "primary", false]);
});

Deno.test("downloading: percent badge, Cancel, bar with speed and ETA", () => {
  const g = game({
    state: "downloading",
    operation: "downloading",
    progress: {
      id: "quake3",
      operation: "downloading",
      bytes_done: 125_000_000,
      total_bytes: 500_000_000,
      rate_bps: 25_000_000,
      eta_secs: 15,
      peers: 3,
      peer_names: [],
    },
  });
  assertEquals(badgeFor(g), { label: "Downloading 25 %", tone: "active" });
  assertEquals(kinds(g), ["cancel"]);
  assertEquals(progressFill(g), 25);
  assertEquals(progressLine(g), "125 MB of 500 MB · 25.0 MB/s · 15s left · from 3 peers");
});

Deno.test("preparing: indeterminate bar and Cancel", () => {
  const g = game({ operation: "preparing" });
  assertEquals(badgeFor(g).label, "Preparing…");
  assertEquals(kinds(g), ["cancel"]);
  assertEquals(progressFill(g), -1);
  assertEquals(progressLine(g), "Asking 2 peers…");
});

Deno.test("paused: percent kept, Resume, disabled without peers", () => {
  const g = game({ state: "paused", downloaded_bytes: 200_000_000 });
  assertEquals(badgeFor(g), { label: "Paused at 40 %", tone: "warning" });
  assertEquals(kinds(g), ["resume"]);
  assertEquals(progressFill(g), 40);
  const alone = actionsFor(game({ state: "paused", downloaded_bytes: 1, peer_count: 0 }))[0];
  assertEquals(alone.disabled, true);
  assertEquals(typeof alone.hint, "string");
  assertEquals(badgeFor(game({ state: "paused", downloaded_bytes: null })).label, "Paused");
});

Deno.test("installing: percent from install progress, Cancel", () => {
  const g = game({
    state: "downloaded",
    downloaded: true,
    operation: "installing",
    progress: {
      id: "quake3",
      operation: "installing",
      bytes_done: 50,
      total_bytes: 200,
      rate_bps: 0,
      eta_secs: null,
      peers: 0,
      peer_names: [],
    },
  });
  assertEquals(badgeFor(g).label, "Installing 25 %");
  assertEquals(kinds(g), ["cancel"]);
  assertEquals(progressLine(g), "Extracting 50 B of 200 B");
});

Deno.test("installed: green badge, Play and Uninstall", () => {
  const g = game({ state: "installed", downloaded: true, installed: true, local_version: "20250314" });
  assertEquals(badgeFor(g), { label: "Installed", tone: "success" });
  const acts = actionsFor(g);
  assertEquals(acts.map((a) => [a.kind, a.style]), [["play", "primary"], ["uninstall", "danger"]]);
  assertEquals(progressFill(g), null);
});

Deno.test("running: badge says so, Play and Uninstall are greyed out with a reason", () => {
  const g = game({
    state: "installed",
    downloaded: true,
    installed: true,
    local_version: "1",
    running: true,
  });
  assertEquals(badgeFor(g), { label: "Running", tone: "active" });
  const acts = actionsFor(g);
  assertEquals(acts.map((a) => [a.kind, a.disabled]), [["play", true], ["uninstall", true]]);
  assertEquals(acts[1].hint, "Quit the game first: its files cannot change while it runs");
});

Deno.test("uninstalling: no buttons", () => {
  const g = game({ state: "installed", installed: true, operation: "uninstalling" });
  assertEquals(badgeFor(g).label, "Uninstalling…");
  assertEquals(kinds(g), []);
});

Deno.test("downloaded but not installed: Install", () => {
  const g = game({ state: "downloaded", downloaded: true });
  assertEquals(badgeFor(g).label, "Downloaded");
  assertEquals(kinds(g), ["install"]);
});

Deno.test("update available: Update first, Uninstall when installed, Install otherwise", () => {
  const inst = game({ state: "update_available", downloaded: true, installed: true, local_version: "1" });
  assertEquals(badgeFor(inst), { label: "Update available", tone: "warning" });
  assertEquals(kinds(inst), ["update", "play", "uninstall"]);
  assertEquals(kinds(game({ state: "update_available", downloaded: true })), ["update", "install"]);
});

Deno.test("a downloaded update: Install update first (no peer needed), Play still works", () => {
  const g = game({
    state: "update_downloaded",
    downloaded: true,
    installed: true,
    peer_count: 0,
    local_version: "2",
    installed_version: "1",
  });
  assertEquals(badgeFor(g), { label: "Update ready", tone: "warning" });
  assertEquals(kinds(g), ["install", "play", "uninstall"]);
  const first = actionsFor(g)[0];
  assertEquals([first.label, first.disabled, first.style], ["Install update", false, "primary"]);
  assertEquals(sizeVersionLine(g), "500 MB · v1 → v2");
});

Deno.test("update available over an older install names the installed version", () => {
  const g = game({
    state: "update_available",
    installed: true,
    downloaded: true,
    local_version: "2",
    installed_version: "1",
    latest_version: "3",
  });
  assertEquals(sizeVersionLine(g), "500 MB · v1 → v3");
  const unknown = game({ ...g, installed_version: "unknown" });
  assertEquals(sizeVersionLine(unknown), "500 MB · v2 → v3");
});

Deno.test("local only: says so, Uninstall or Install", () => {
  const inst = game({ state: "local_only", downloaded: true, installed: true, peer_count: 0 });
  assertEquals(badgeFor(inst).label, "Installed · only here");
  assertEquals(kinds(inst), ["play", "uninstall"]);
  const dl = game({ state: "local_only", downloaded: true, peer_count: 0 });
  assertEquals(badgeFor(dl).label, "Only on this PC");
  assertEquals(kinds(dl), ["install"]);
});

Deno.test("every state has a badge and the first button is the primary one", () => {
  const states = [
    "remote_only",
    "downloading",
    "paused",
    "downloaded",
    "installed",
    "update_available",
    "update_downloaded",
    "local_only",
  ] as const;
  for (const state of states) {
    const g = game({ state, downloaded_bytes: 10 });
    assertEquals(badgeFor(g).label.length > 0, true);
    const acts = actionsFor(g);
    assertEquals(acts.length > 0, true, state);
    assertEquals(acts.filter((a) => a.style === "primary").length <= 1, true, state);
  }
});

Deno.test("percent is clamped and unknown without a total", () => {
  assertEquals(percent(5, 0), null);
  assertEquals(percent(150, 100), 100);
  assertEquals(percent(999, 1000), 99);
});

Deno.test("search matches name, genre and id; filters and sorts", () => {
  const games = [
    game({ id: "quake3", name: "Quake III Arena", genre: "FPS", size_bytes: 500, release_year: 1999 }),
    game({
      id: "teeworlds",
      name: "Teeworlds",
      genre: "Platform shooter",
      size_bytes: 40,
      release_year: 2007,
    }),
    game({
      id: "openarena",
      name: "OpenArena",
      genre: "FPS",
      size_bytes: 300,
      installed: true,
      state: "installed",
      release_year: 2005,
    }),
  ];
  const ids = (gs: typeof games) => gs.map((g) => g.id);
  assertEquals(ids(visibleGames(games, "", "all", "name")), ["openarena", "quake3", "teeworlds"]);
  assertEquals(ids(visibleGames(games, "fps", "all", "name")), ["openarena", "quake3"]);
  assertEquals(ids(visibleGames(games, "  TEE ", "all", "name")), ["teeworlds"]);
  assertEquals(ids(visibleGames(games, "", "installed", "name")), ["openarena"]);
  assertEquals(ids(visibleGames(games, "", "available", "size")), ["quake3", "teeworlds"]);
  assertEquals(ids(visibleGames(games, "", "all", "year")), ["teeworlds", "openarena", "quake3"]);
  assertEquals(ids(visibleGames(games, "", "all", "status")), ["openarena", "quake3", "teeworlds"]);
  assertEquals(filterCounts(games), { all: 3, installed: 1, available: 2, active: 0, updates: 0 });
});

Deno.test("errors: command rejections become AppError, shown in plain words", () => {
  assertEquals(toAppError({ kind: "no_peers", message: "no peer on the network has quake3 right now" }), {
    kind: "no_peers",
    message: "no peer on the network has quake3 right now",
  });
  assertEquals(toAppError("boom"), { kind: "internal", message: "boom" });
  assertEquals(toAppError(new Error("bad")), { kind: "internal", message: "bad" });
  assertEquals(toAppError({ kind: "weird", message: "x" }).kind, "internal");
  assertEquals(describeError({ kind: "disk_full", message: "need 2 GB more on /games" }), {
    title: "Not enough disk space",
    detail: "Need 2 GB more on /games.",
  });
});

Deno.test("speed and ETA wait for a meaningful rate", () => {
  const g = game({
    state: "downloading",
    operation: "downloading",
    progress: {
      id: "quake3",
      operation: "downloading",
      bytes_done: 71,
      total_bytes: 25_000_000,
      rate_bps: 255,
      eta_secs: 98_000,
      peers: 1,
      peer_names: [],
    },
  });
  assertEquals(progressLine(g), "71 B of 25.0 MB · waiting for data…");
});

Deno.test("size and version line, update shows both versions", () => {
  assertEquals(sizeVersionLine(game()), "500 MB · v20250314");
  assertEquals(
    sizeVersionLine(game({ state: "update_available", local_version: "1", latest_version: "2" })),
    "500 MB · v1 → v2",
  );
  assertEquals(sizeVersionLine(game({ size_bytes: 0, latest_version: null })), "");
});

Deno.test("paths shorten to ~ and keep their end", () => {
  assertEquals(homeFrom("/home/ana/Games/lanspread"), "/home/ana");
  assertEquals(homeFrom("C:\\Users\\ana\\Games\\lanspread"), "C:\\Users\\ana");
  assertEquals(homeFrom("/srv/x"), null);
  assertEquals(shortPath("/home/ana/Games/lanspread", "/home/ana"), "~/Games/lanspread");
  assertEquals(shortPath("/home/anabel/x", "/home/ana"), "/home/anabel/x");
  assertEquals(
    shortPath("/mnt/storage/very/long/path/to/the/lan/party/games", null, 20),
    "…the/lan/party/games",
  );
});

Deno.test("pinned titles are credited to the catalog that pins them", () => {
  assertEquals(pinsLine(12, "LAN Party 2026"), "12 titles pinned by LAN Party 2026");
  assertEquals(pinsLine(1, null), "1 title pinned by this catalog");
});

Deno.test("links: Open folder and Delete on disk, Discard for a paused download, none while busy", () => {
  const linkKinds = (g: ReturnType<typeof game>) => linksFor(g).map((a) => a.kind);
  assertEquals(linkKinds(game({ state: "installed", installed: true, downloaded: true })), [
    "open_folder",
    "verify",
    "delete",
  ]);
  assertEquals(linkKinds(game({ state: "installed", installed: true, downloaded: false })), [
    "open_folder",
    "delete",
  ], "nothing downloaded to verify");
  assertEquals(linkKinds(game({ state: "paused", downloaded_bytes: 10 })), ["discard"]);
  assertEquals(linkKinds(game({ state: "remote_only" })), []);
  assertEquals(linkKinds(game({ state: "installed", installed: true, operation: "installing" })), []);
  const running = linksFor(game({ state: "installed", installed: true, downloaded: true, running: true }));
  assertEquals(running.find((a) => a.kind === "delete")?.disabled, true);
  assertEquals(running.find((a) => a.kind === "verify")?.disabled, true, "verify waits for the game to exit");
  const verifying = game({ state: "installed", installed: true, downloaded: true, operation: "verifying" });
  assertEquals(linkKinds(verifying), []);
  assertEquals(
    badgeFor({ ...verifying, progress: progressOf("verifying", 25, 100) }).label,
    "Verifying 25 %",
  );
  assertEquals(
    progressLine({ ...verifying, progress: progressOf("verifying", 2_000_000, 8_000_000) }),
    "Checking 2.0 MB of 8.0 MB",
  );
  assertEquals(kinds(verifying), ["cancel"], "a verify can be cancelled");
  const installed = game({ state: "installed", installed: true, downloaded: true });
  assertEquals(linksFor(installed, true).map((a) => a.kind), ["repair", "open_folder", "verify", "delete"]);
  assertEquals(
    linksFor({ ...installed, running: true }, true)[0].disabled,
    true,
    "repair waits for the game",
  );
});

function progressOf(operation: "verifying", bytes_done: number, total_bytes: number) {
  return {
    id: "quake3",
    operation,
    bytes_done,
    total_bytes,
    rate_bps: 0,
    eta_secs: null,
    peers: 0,
    peer_names: [],
  };
}

Deno.test("Install is refused up front when the game cannot fit, with the numbers", () => {
  const g = game({ state: "remote_only", size_bytes: 600_000_000, peer_count: 1 });
  assertEquals(spaceProblem(g, 2_000_000_000, true), null);
  const tight = spaceProblem(g, 1_000_000_000, true);
  assertEquals(tight, "Needs 1.2 GB (download and install); 1.0 GB free in the game folder");
  assertEquals(spaceProblem(g, 1_000_000_000, false), null, "download only fits");
  const install = actionsWithSpace(g, 1_000_000_000, true).find((a) => a.kind === "install");
  assertEquals([install?.disabled, install?.hint], [true, tight]);
  // A paused download needs only what is missing.
  const paused = game({
    state: "paused",
    size_bytes: 600_000_000,
    downloaded_bytes: 500_000_000,
    peer_count: 1,
  });
  assertEquals(spaceProblem(paused, 200_000_000, false), null);
  assertEquals(spaceProblem(g, null, true), null, "unknown free space refuses nothing");
});

Deno.test("queued: badge says its place, Start now or Remove from queue, no links", () => {
  const g = game({ state: "remote_only", queue_position: 2 });
  assertEquals(badgeFor(g), { label: "Queued · 2nd", tone: "info" });
  assertEquals(kinds(g), ["start_now", "cancel"]);
  assertEquals(actionsFor(g)[1].label, "Remove from queue");
  assertEquals(linksFor(g), []);
  assertEquals([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal), [
    "1st",
    "2nd",
    "3rd",
    "4th",
    "11th",
    "12th",
    "13th",
    "21st",
    "22nd",
    "101st",
  ]);
});

Deno.test("downloads panel: running first with rate, ETA and peers; the queue in order", () => {
  const running = game({
    id: "quake3",
    operation: "downloading",
    state: "downloading",
    progress: {
      id: "quake3",
      operation: "downloading",
      bytes_done: 120_000_000,
      total_bytes: 500_000_000,
      rate_bps: 25_000_000,
      eta_secs: 15,
      peers: 2,
      peer_names: ["seedbox", "ana"],
    },
  });
  const q2 = game({ id: "b", name: "B", queue_position: 2 });
  const q1 = game({ id: "a", name: "A", queue_position: 1 });
  const d = downloadsOf([q2, running, q1, game({ id: "idle" })]);
  assertEquals(d.running.map((g) => g.id), ["quake3"]);
  assertEquals(d.queued.map((g) => g.id), ["a", "b"]);
  assertEquals(downloadLine(running), "120 MB of 500 MB · 25.0 MB/s · 15s left · from seedbox, ana");
});
