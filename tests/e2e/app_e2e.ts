/**
 * End-to-end test of the desktop app in a real window: tauri-driver + WebKitWebDriver, driven by
 * webdriverio, under xvfb (`just e2e`, inside the test network namespace).
 *
 * The app starts with an empty temp game directory and shows its "no peers yet" help; then a
 * headless `lanspread-peer-cli serve` shares generated RAR games, both bound to 127.0.0.1 so mDNS
 * discovery is real. The test waits for the game in the grid, clicks Install, sees progress and the Installed badge, checks
 * the extracted files on disk, presses Play (the test game, started through the test catalog's
 * launch entry, records its folder and arguments and runs until told to quit: the card shows
 * Running and refuses Uninstall meanwhile, and Play works again after it exits), checks that
 * cards and buttons fit an 800 px window, uninstalls (with confirmation) and sees the install gone.
 * Screenshots go to target/screenshots/ (or $LANSPREAD_E2E_SCREENSHOTS); `just screenshots`
 * copies them into docs/screenshots/, so a test run leaves tracked files untouched.
 */
import { remote } from "webdriverio";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const TARGET = Deno.env.get("CARGO_TARGET_DIR") ?? `${ROOT}/target`;
const BIN = (name: string) => `${TARGET}/debug/${name}`;
const SHOTS = Deno.env.get("LANSPREAD_E2E_SCREENSHOTS") ?? `${ROOT}/target/screenshots`;
const GAME = { id: "quake3", version: "20250314", mib: 24 };
const PLAY_ARGS = ["+set", "fs_game", "baseq3"];
const OTHERS: [string, string, string, string[]][] = [
  ["openarena", "088", "3", ["--volumes", "1"]],
  ["teeworlds", "0.7.5", "1", []],
  ["supertuxkart", "1.4", "2", []],
  ["ut2004", "3369", "2", []],
  ["cs16", "1.6", "1", []],
];

const started = performance.now();
function log(msg: string) {
  console.log(`[e2e ${((performance.now() - started) / 1000).toFixed(1)}s] ${msg}`);
}

async function run(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

async function waitFor<T>(what: string, timeoutMs: number, f: () => Promise<T | null | undefined | false>) {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
}

async function portOpen(port: number): Promise<boolean> {
  try {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.close();
    return true;
  } catch {
    return false;
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Reads a child's stdout line by line into `lines`. */
function collectLines(stream: ReadableStream<Uint8Array>, lines: string[]) {
  (async () => {
    let buf = "";
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      buf += dec.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf("\n")) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    }
  })().catch(() => {});
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Saves a screenshot of the X screen (the app window fills it; WebKitWebDriver's own screenshot
 * command hangs under Xvfb). */
async function shot(path: string) {
  await run("import", ["-window", "root", path]);
  log(`screenshot ${path}`);
}

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

const tmp = await Deno.makeTempDir({ prefix: "lanspread-e2e-" });
const dirs = {
  seedGames: `${tmp}/seed/games`,
  seedState: `${tmp}/seed/state`,
  appGames: `${tmp}/app/games`,
  appState: `${tmp}/app/state`,
  appConfig: `${tmp}/app/config`,
};
const children: Deno.ChildProcess[] = [];
// deno-lint-ignore no-explicit-any
let browser: any = null;
let failed = false;

try {
  for (const b of ["lanspread", "lanspread-peer-cli", "lanspread-testkit"]) {
    assert(exists(BIN(b)), `${BIN(b)} is missing; run 'just build-tests' first`);
  }
  Deno.mkdirSync(SHOTS, { recursive: true });

  log("generating the seeder's library (real RAR archives)");
  await run(BIN("lanspread-testkit"), [
    "make-game",
    dirs.seedGames,
    GAME.id,
    GAME.version,
    String(GAME.mib),
    "--seed",
    "3",
  ]);
  for (const [id, ver, mib, extra] of OTHERS) {
    await run(BIN("lanspread-testkit"), ["make-game", dirs.seedGames, id, ver, mib, ...extra]);
  }

  // The bundled catalog, with a Linux launch entry for the test game's script.
  const catalog = JSON.parse(Deno.readTextFileSync(`${ROOT}/catalog/catalog.json`));
  const entry = catalog.find((t: { id: string }) => t.id === GAME.id);
  entry.launch = { ...entry.launch, linux: { exe: `bin/${GAME.id}.sh`, args: PLAY_ARGS } };
  Deno.writeTextFileSync(`${tmp}/catalog.json`, JSON.stringify(catalog));
  Deno.mkdirSync(dirs.appConfig, { recursive: true });
  Deno.writeTextFileSync(
    `${dirs.appConfig}/settings.json`,
    JSON.stringify({ catalog: `${tmp}/catalog.json` }),
  );

  log("starting a tray (trayer) for the tray icon");
  const tray = new Deno.Command("trayer", {
    args: [
      "--edge",
      "bottom",
      "--align",
      "right",
      "--widthtype",
      "request",
      "--height",
      "32",
      "--transparent",
      "false",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  children.push(tray);

  const appEnv = {
    LANSPREAD_GAME_DIR: dirs.appGames,
    LANSPREAD_STATE_DIR: dirs.appState,
    LANSPREAD_CONFIG_DIR: dirs.appConfig,
    LANSPREAD_BIND: "127.0.0.1",
    LANSPREAD_LOG: "info",
    WEBKIT_DISABLE_COMPOSITING_MODE: "1",
    WEBKIT_DISABLE_DMABUF_RENDERER: "1",
    LIBGL_ALWAYS_SOFTWARE: "1",
  };

  log("starting tauri-driver");
  const port = freePort();
  const nativePort = freePort();
  const driverLog = await Deno.open(`${tmp}/tauri-driver.log`, { write: true, create: true });
  const driver = new Deno.Command("tauri-driver", {
    args: ["--port", String(port), "--native-port", String(nativePort)],
    env: appEnv,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  children.push(driver);
  driver.stdout.pipeTo(driverLog.writable, { preventClose: true }).catch(() => {});
  driver.stderr.pipeTo((await Deno.open(`${tmp}/app.log`, { write: true, create: true })).writable).catch(
    () => {},
  );
  await waitFor("tauri-driver to listen", 20_000, () => portOpen(port));

  log("opening the app window");
  browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "error",
    connectionRetryTimeout: 120_000,
    capabilities: {
      // WebKitWebDriver speaks classic WebDriver only (no BiDi).
      "wdio:enforceWebDriverClassic": true,
      // deno-lint-ignore no-explicit-any
      ...({ "tauri:options": { application: BIN("lanspread") } } as any),
    },
  });
  await browser.setWindowSize(1280, 800).catch(() => {});

  log("no peers yet: the empty state explains what to check");
  await (await browser.$('[data-testid="no-peers"]')).waitForExist({ timeout: 30_000 });
  const help = await (await browser.$('[data-testid="no-peers"]')).getText();
  assert(/same network/.test(help) && /firewall/i.test(help), `the empty state helps: ${help}`);
  await new Promise((r) => setTimeout(r, 300));
  await shot(`${SHOTS}/00-no-peers.png`);

  log("starting the headless seeder on 127.0.0.1");
  const seedLog = await Deno.open(`${tmp}/seeder.log`, { write: true, create: true });
  const seeder = new Deno.Command(BIN("lanspread-peer-cli"), {
    args: [
      "serve",
      "--game-dir",
      dirs.seedGames,
      "--state-dir",
      dirs.seedState,
      "--bind",
      "127.0.0.1",
      "--name",
      "seedbox",
      // ~2.5 s for the 24 MiB game on any machine: progress is visible and the screenshot
      // catches the bar mid-way (unthrottled loopback finishes in a blink).
      "--upload-limit-mbit",
      "80",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  children.push(seeder);
  seeder.stderr.pipeTo(seedLog.writable).catch(() => {});
  const seedLines: string[] = [];
  collectLines(seeder.stdout, seedLines);
  await waitFor(
    "the seeder to be ready",
    30_000,
    () => Promise.resolve(seedLines.some((l) => l.includes('"ready"'))),
  );

  const card = `[data-game-id="${GAME.id}"]`;
  const badgeText = async () => {
    const b = await browser.$(`${card} [data-testid="badge"]`);
    return (await b.isExisting()) ? await b.getText() : null;
  };

  log("waiting for the seeder's games in the grid (mDNS on loopback)");
  await waitFor("quake3 in the grid", 60_000, async () => (await badgeText())?.startsWith("On 1 peer"));
  await waitFor("all seeded games", 30_000, async () => (await browser.$$("[data-game-id]")).length >= 6);
  const peers = await (await browser.$('[data-testid="peer-count"]')).getText();
  assert(peers.includes("1 peer"), `header shows the peer: ${peers}`);
  const dirShown = await (await browser.$('[data-testid="game-dir"]')).getAttribute("data-path");
  assert(dirShown === dirs.appGames, `header shows the game dir: ${dirShown}`);
  // Let the art finish loading for the screenshot.
  await new Promise((r) => setTimeout(r, 500));
  await shot(`${SHOTS}/01-library.png`);

  // Record every badge the card shows from here on, however briefly.
  await browser.execute((sel: string) => {
    const w = window as unknown as { __badges: string[] };
    w.__badges = [];
    const take = () => {
      const t = document.querySelector(`${sel} [data-testid="badge"]`)?.textContent ?? "";
      const p = document.querySelector(`${sel} [data-testid="progress-line"]`)?.textContent ?? "";
      const entry = p ? `${t} | ${p}` : t;
      if (w.__badges[w.__badges.length - 1] !== entry) w.__badges.push(entry);
    };
    new MutationObserver(take).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
    take();
  }, card);

  log("clicking Install");
  await (await browser.$(`${card} [data-action="install"]`)).click();
  // Catch the bar mid-way for the screenshot; a download that is too quick for that still
  // passes (the badge log below proves progress was shown).
  await waitFor("download progress", 30_000, async () => {
    const t = await badgeText();
    return t != null && (/Downloading [1-8]\d? %/.test(t) || /Installing|Installed/.test(t));
  });
  await shot(`${SHOTS}/02-downloading.png`);
  await waitFor("the Installed badge", 120_000, async () => (await badgeText()) === "Installed");
  const seen: string[] = await browser.execute(() => (window as unknown as { __badges: string[] }).__badges);
  log(`badges seen: ${JSON.stringify(seen)}`);
  assert(seen.some((b) => b.startsWith("Downloading")), "a Downloading badge was shown");
  assert(seen.some((b) => / of .*MB/.test(b)), "download progress (bytes of total) was shown");
  assert(seen.some((b) => b.startsWith("Installing")), "an Installing badge was shown");
  await (await browser.$(`${card} [data-action="uninstall"]`)).waitForExist({ timeout: 5_000 });
  await new Promise((r) => setTimeout(r, 300));
  await shot(`${SHOTS}/03-installed.png`);

  log("checking the extracted files on disk");
  const local = `${dirs.appGames}/${GAME.id}/local`;
  const script = Deno.readTextFileSync(`${local}/bin/${GAME.id}.sh`);
  assert(
    script.startsWith(`#!/bin/sh\n# ${GAME.id} ${GAME.version}: the lanspread test game\n`),
    `bin/${GAME.id}.sh content`,
  );
  const cfg = Deno.readTextFileSync(`${local}/config/game.cfg`);
  assert(cfg === `[game]\nid=${GAME.id}\nversion=${GAME.version}\n`, "config/game.cfg content");
  let data = 0;
  for (const e of Deno.readDirSync(`${local}/data`)) data += Deno.statSync(`${local}/data/${e.name}`).size;
  assert(data > (GAME.mib - 1) * 1024 * 1024, `data files extracted (${data} bytes)`);
  assert(
    Deno.readTextFileSync(`${dirs.appGames}/${GAME.id}/version.ini`).trim() === GAME.version,
    "version.ini committed",
  );

  log("Play: the test game starts in its folder with the catalog's arguments");
  const bin = `${local}/bin`;
  const play = async () => {
    const button = await browser.$(`${card} [data-action="play"]`);
    await waitFor("an enabled Play button", 10_000, async () => await button.isEnabled());
    await button.click();
    await waitFor("the Running badge", 15_000, async () => (await badgeText()) === "Running");
  };
  await play();
  await waitFor("started.txt", 10_000, () => Promise.resolve(exists(`${bin}/started.txt`)));
  const startedTxt = Deno.readTextFileSync(`${bin}/started.txt`);
  assert(
    startedTxt === `${bin}\n${PLAY_ARGS.join(" ")}\n`,
    `started in its folder with its arguments: ${startedTxt}`,
  );
  const uninstallButton = await browser.$(`${card} [data-action="uninstall"]`);
  assert(!(await uninstallButton.isEnabled()), "Uninstall is refused while the game runs");
  assert(/Quit the game first/.test(await uninstallButton.getAttribute("title") ?? ""), "and says why");
  await new Promise((r) => setTimeout(r, 300));
  await shot(`${SHOTS}/03-playing.png`);
  log("the game exits: Play works again");
  Deno.writeTextFileSync(`${bin}/quit`, "");
  await waitFor("the game to exit", 15_000, async () => (await badgeText()) === "Installed");
  await waitFor("exited.txt", 5_000, () => Promise.resolve(exists(`${bin}/exited.txt`)));
  Deno.removeSync(`${bin}/quit`);
  Deno.removeSync(`${bin}/started.txt`);
  await play();
  await waitFor("started.txt again", 10_000, () => Promise.resolve(exists(`${bin}/started.txt`)));
  Deno.writeTextFileSync(`${bin}/quit`, "");
  await waitFor("the game to exit again", 15_000, async () => (await badgeText()) === "Installed");

  log("an 800 px window: every card, title and button fits");
  await browser.setWindowSize(800, 700).catch(() => {});
  await new Promise((r) => setTimeout(r, 500));
  const overflowing: string[] = await browser.execute(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll(".card .title, .card .actions .btn, .card")) {
      const e = el as HTMLElement;
      if (e.scrollWidth > e.clientWidth + 1) out.push(`${e.className}: ${e.textContent}`);
    }
    const width = document.documentElement.clientWidth;
    for (const el of document.querySelectorAll(".card")) {
      if (el.getBoundingClientRect().right > width + 1) out.push(`off screen: ${el.textContent}`);
    }
    return out;
  });
  assert(overflowing.length === 0, `nothing overflows at 800 px: ${JSON.stringify(overflowing)}`);
  await browser.setWindowSize(1280, 800).catch(() => {});
  await new Promise((r) => setTimeout(r, 300));

  log("peers panel");
  await (await browser.$('[data-testid="peer-count"]')).click();
  const panel = await browser.$('[data-testid="peers-panel"]');
  await panel.waitForExist({ timeout: 5_000 });
  await waitFor(
    "seedbox with its games",
    5_000,
    async () => (await panel.getText()).includes("Quake III Arena"),
  );
  assert((await panel.getText()).includes("seedbox"), "peers panel names the seeder");
  const own = await (await browser.$('[data-testid="own-address"]')).getText();
  assert(/This PC: 127\.0\.0\.1:\d+/.test(own), `the panel shows this machine's address: ${own}`);
  await (await browser.$('[data-testid="cant-see"] summary')).click();
  await (await browser.$('[data-testid="add-peer-address"]')).setValue("nowhere:port");
  await (await browser.$('[data-action="add-peer"]')).click();
  await waitFor(
    "the address refused in words",
    5_000,
    async () => (await panel.getText()).includes("not a peer address"),
  );
  // "Test" dials for real: this PC's own address answers as itself.
  const ownAddr = own.replace("This PC:", "").trim().split(/\s/)[0];
  await (await browser.$('[data-testid="add-peer-address"]')).setValue(ownAddr);
  await (await browser.$('[data-action="test-connection"]')).click();
  const tested = await browser.$('[data-testid="connection-test"]');
  await tested.waitForExist({ timeout: 20_000 });
  const answer = await tested.getText();
  assert(answer.includes(`${ownAddr} is this PC`), `the test answers in words: ${answer}`);
  await shot(`${SHOTS}/04-peers.png`);
  await browser.keys("Escape");
  await panel.waitForExist({ timeout: 5_000, reverse: true });

  log("settings dialog");
  await (await browser.$('button[aria-label="Settings"]')).click();
  const settings = await browser.$('[data-testid="settings"]');
  await settings.waitForExist({ timeout: 5_000 });
  assert((await settings.getText()).includes(dirs.appGames), "settings show the game folder");
  await shot(`${SHOTS}/06-settings.png`);
  await browser.keys("Escape");
  await settings.waitForExist({ timeout: 5_000, reverse: true });

  log("verify: every byte checked against the seeder's copy");
  await (await browser.$(`${card} [data-action="verify"]`)).click();
  await waitFor(
    "the verify result",
    60_000,
    async () => (await (await browser.$("body")).getText()).includes("Quake III Arena is intact"),
  );
  // Out of the way of the dialogs that follow.
  for (const close of await browser.$$('.toasts button[aria-label="Dismiss"]')) await close.click();

  log("uninstalling (with confirmation)");
  await (await browser.$(`${card} [data-action="uninstall"]`)).click();
  const confirm = await browser.$('[data-testid="confirm-uninstall"]');
  await confirm.waitForExist({ timeout: 5_000 });
  await shot(`${SHOTS}/05-confirm-uninstall.png`);
  await (await browser.$('[data-action="confirm-uninstall"]')).click();
  await waitFor("the install to be gone", 60_000, async () => (await badgeText()) === "Downloaded");
  assert(!exists(local), "local/ was removed");
  assert(exists(`${dirs.appGames}/${GAME.id}/version.ini`), "the download stays");
  assert(await (await browser.$(`${card} [data-action="install"]`)).isExisting(), "Install is offered again");
  assert(!(await (await browser.$(`${card} [data-action="uninstall"]`)).isExisting()), "no Uninstall button");

  log("a download cap from Settings, then three Install clicks: one runs, two wait in order");
  const setDownloadCap = async (value: string) => {
    await (await browser.$('button[aria-label="Settings"]')).click();
    const field = await browser.$('[data-testid="download-limit"]');
    await field.waitForExist({ timeout: 5_000 });
    await field.clearValue();
    if (value) await field.setValue(value);
    await (await browser.$('[data-testid="settings"] .modal-actions .btn-primary')).click();
    await (await browser.$('[data-testid="settings"]')).waitForExist({ timeout: 10_000, reverse: true });
  };
  await setDownloadCap("8"); // 1 MB/s: the queue stays visible for a few seconds
  const queued = ["openarena", "supertuxkart", "ut2004"];
  const badgeOf = async (id: string) => {
    const b = await browser.$(`[data-game-id="${id}"] [data-testid="badge"]`);
    return (await b.isExisting()) ? await b.getText() : null;
  };
  for (const id of queued) {
    await (await browser.$(`[data-game-id="${id}"] [data-action="install"]`)).click();
  }
  await waitFor(
    "two downloads waiting",
    10_000,
    async () =>
      (await badgeOf("supertuxkart")) === "Queued · 1st" && (await badgeOf("ut2004")) === "Queued · 2nd",
  );
  await (await browser.$('[data-testid="downloads"]')).click();
  const downloadsPanel = await browser.$('[data-testid="downloads-panel"]');
  await downloadsPanel.waitForExist({ timeout: 5_000 });
  await waitFor("the running download's rate and source", 15_000, async () => {
    const t = await downloadsPanel.getText();
    return /MB\/s/.test(t) && t.includes("from seedbox") && t.includes("Super") && t.includes("Unreal");
  });
  await new Promise((r) => setTimeout(r, 300));
  await shot(`${SHOTS}/07-downloads.png`);
  await browser.keys("Escape");
  await downloadsPanel.waitForExist({ timeout: 5_000, reverse: true });
  await setDownloadCap("");
  for (const id of queued) {
    await waitFor(`${id} installed`, 120_000, async () => (await badgeOf(id)) === "Installed");
  }

  log("closing the window keeps sharing: another peer downloads from this app's peer");
  await run("/usr/bin/python3", [`${ROOT}/scripts/x11-close.py`, "lanspread"]);
  await waitFor("the window to hide", 10_000, async () => {
    const out = await new Deno.Command("xdotool", {
      args: ["search", "--onlyvisible", "--class", "^Lanspread$"],
    })
      .output();
    return new TextDecoder().decode(out.stdout).trim() === "";
  });
  const appAlive = async () =>
    (await new Deno.Command("pgrep", { args: ["-x", "lanspread"] }).output()).success;
  assert(await appAlive(), "the app still runs in the tray");
  // The seeder leaves: the app's peer is the only one with the game now.
  const w = seeder.stdin.getWriter();
  await w.write(new TextEncoder().encode('{"command":"shutdown"}\n'));
  await w.close();
  await seeder.status;
  const leech = await new Deno.Command(BIN("lanspread-peer-cli"), {
    args: [
      "get",
      "openarena",
      "--no-install",
      "--timeout",
      "60",
      "--game-dir",
      `${tmp}/leech/games`,
      "--state-dir",
      `${tmp}/leech/state`,
      "--bind",
      "127.0.0.1",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const leechOut = new TextDecoder().decode(leech.stdout).trim().split("\n");
  assert(leech.success, `the leech downloaded: ${new TextDecoder().decode(leech.stderr).slice(-600)}`);
  const fin = JSON.parse(leechOut[leechOut.length - 1]);
  assert(
    fin.event === "finished" && fin.peers.length === 1,
    `from the app's peer alone: ${JSON.stringify(fin)}`,
  );
  for (const e of Deno.readDirSync(`${dirs.appGames}/openarena`)) {
    if (!e.isFile || e.name.startsWith(".")) continue;
    const a = Deno.readFileSync(`${dirs.appGames}/openarena/${e.name}`);
    const b = Deno.readFileSync(`${tmp}/leech/games/openarena/${e.name}`);
    assert(a.length === b.length && a.every((x, i) => x === b[i]), `${e.name} arrived byte for byte`);
  }

  log("one instance: a second launch shows the running window and exits");
  const second = new Deno.Command(BIN("lanspread"), { env: appEnv, stdout: "null", stderr: "null" }).spawn();
  const secondExit = await Promise.race([
    second.status,
    new Promise((r) => setTimeout(() => r(null), 15_000)),
  ]);
  if (secondExit === null) second.kill("SIGKILL");
  assert(
    secondExit !== null && (secondExit as Deno.CommandStatus).success,
    "the second launch hands over to the running one and exits",
  );
  await waitFor("the running window to show again", 10_000, async () => {
    const out = await new Deno.Command("xdotool", {
      args: ["search", "--onlyvisible", "--class", "^Lanspread$"],
    })
      .output();
    return new TextDecoder().decode(out.stdout).trim() !== "";
  });
  assert(
    (await new Deno.Command("pgrep", { args: ["-c", "-x", "lanspread"] }).output()).success,
    "still running",
  );
  await new Promise((r) => setTimeout(r, 500));
  await run("/usr/bin/python3", [`${ROOT}/scripts/x11-close.py`, "lanspread"]);

  log("Quit from the tray menu stops it");
  const icon = new TextDecoder().decode(
    (await new Deno.Command("xdotool", { args: ["search", "--classname", "tray-icon tray app lanspread"] })
      .output()).stdout,
  ).trim().split("\n")[0];
  assert(icon, "the tray icon is in the tray");
  const geo = new TextDecoder().decode(
    (await new Deno.Command("xdotool", { args: ["getwindowgeometry", "--shell", icon] }).output()).stdout,
  );
  const num = (k: string) => Number(new RegExp(`${k}=(\\d+)`).exec(geo)?.[1]);
  await run("xdotool", [
    "mousemove",
    String(num("X") + num("WIDTH") / 2),
    String(num("Y") + num("HEIGHT") / 2),
    "click",
    "1",
  ]);
  await new Promise((r) => setTimeout(r, 800));
  await run("import", [
    "-window",
    "root",
    "-crop",
    "420x200+860+600",
    "+repage",
    `${SHOTS}/08-tray-menu.png`,
  ]);
  await run("xdotool", ["key", "Up", "Return"]);
  await waitFor("the app to quit", 20_000, async () => !(await appAlive()));
  browser = null; // the window is gone with the app

  log(`passed in ${((performance.now() - started) / 1000).toFixed(1)} s; screenshots in ${SHOTS}`);
} catch (e) {
  failed = true;
  console.error(`[e2e] FAILED: ${e instanceof Error ? e.stack ?? e.message : e}`);
  await shot(`${tmp}/failure.png`).catch(() => {});
  for (const f of ["seeder.log", "tauri-driver.log", "app.log"]) {
    try {
      const text = Deno.readTextFileSync(`${tmp}/${f}`);
      console.error(`----- ${f} (last 40 lines) -----\n${text.split("\n").slice(-40).join("\n")}`);
    } catch { /* not written */ }
  }
  console.error(`[e2e] logs and failure.png kept in ${tmp}`);
} finally {
  if (browser) {
    await Promise.race([browser.deleteSession().catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
  }
  for (const c of children.reverse()) {
    try {
      c.kill("SIGTERM");
    } catch { /* already gone */ }
    const done = await Promise.race([c.status, new Promise((r) => setTimeout(() => r(null), 5_000))]);
    if (done === null) {
      try {
        c.kill("SIGKILL");
      } catch { /* gone */ }
    }
  }
  if (!failed) await Deno.remove(tmp, { recursive: true }).catch(() => {});
}
Deno.exit(failed ? 1 : 0);
