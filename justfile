# lanspread daily loop. `just --list` shows everything.
# Tests, demos and benchmarks keep mDNS and QUIC off the real network: they run inside a
# fresh network namespace (scripts/netns-run.sh) or in namespaces they create.

set shell := ["bash", "-euo", "pipefail", "-c"]

export CARGO_TERM_COLOR := "never"

default:
    @just --list

# Install whatever is missing (apt packages, deno, just, tauri-driver, node modules).
bootstrap:
    scripts/bootstrap.sh

# Build the workspace (debug) and the frontend.
build:
    deno task build
    cargo build --workspace

# Run the desktop app with the bundled catalog and the default game directory.
run: build-app
    scripts/run-app.sh

# Build the standalone debug app binary (frontend embedded).
build-app:
    deno task build
    cargo build -p lanspread-app --features custom-protocol

# Everything CI checks: lint, build, then all tests inside an isolated network namespace.
# Each stage prints its time ("stage NAME: N s").
test:
    scripts/stage.sh lint just lint
    scripts/stage.sh build-tests just build-tests
    scripts/stage.sh fuzz-smoke just fuzz-smoke
    scripts/netns-run.sh just _test-inner
    scripts/stage.sh windows-build just windows
    scripts/stage.sh windows-test scripts/windows.sh test

_test-inner:
    scripts/stage.sh cargo-test cargo test --workspace --offline -- --test-threads 2
    scripts/stage.sh deno-test deno test --allow-read --allow-env ui/tests/
    scripts/stage.sh e2e just e2e

# Compile every test binary (outside the namespace, where the registry is reachable), plus
# the app, peer CLI and testkit binaries the end-to-end test runs.
build-tests:
    cargo test --workspace --no-run
    just build-app
    cargo build -p lanspread-peer-cli -p lanspread-testkit

# End-to-end test of the desktop app in a real window: tauri-driver + WebKitWebDriver under
# Xvfb, beside a headless seeder, both on loopback in a fresh network namespace (mDNS is real).
# Saves screenshots into target/screenshots/ (`just screenshots` refreshes the README's). The app is relinked first: `cargo test` rebuilds
# the same binary without `custom-protocol` (it would then load the Vite dev server).
e2e: build-app
    cargo build -p lanspread-peer-cli -p lanspread-testkit
    scripts/netns-run.sh xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- deno run -A tests/e2e/app_e2e.ts

# Run the e2e test and copy its screenshots into docs/screenshots/ (review the diff!).
screenshots: e2e
    cp target/screenshots/*.png docs/screenshots/

# Regenerate ui/src/bindings/ from the Rust command and event types (a test fails when stale).
bindings:
    UPDATE_BINDINGS=1 cargo test -p lanspread-app --test bindings

# Demo: two headless peers sharing a generated library and the app with an empty game
# directory, all on loopback inside the `lanspread-demo` network namespace. Ctrl+C stops it.
demo: build-app
    cargo build -p lanspread-peer-cli -p lanspread-testkit
    scripts/demo.sh

# Cross-build the Windows zip (target/windows/lanspread-windows-x64.zip): lanspread.exe,
# lanspread-peer-cli.exe and the DLLs they need. Installs MinGW, Wine and the toolchain on
# first use. `scripts/windows.sh test` then runs the Windows tests under Wine.
windows:
    scripts/windows.sh build

# Build the desktop app's .deb bundle (release, offline) into <target>/release/bundle/deb/.
bundle:
    deno task tauri build --bundles deb

# Format check, clippy with -D warnings, frontend lint and type-check, generated files fresh.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings
    deno lint
    deno fmt --check
    deno check ui/src/main.tsx ui/tests/ scripts/ tests/e2e/
    deno run --allow-read scripts/gen-art.ts --check

# Apply formatting.
fmt:
    cargo fmt --all
    deno fmt

# Regenerate the catalog's placeholder art.
art:
    deno run --allow-read --allow-write scripts/gen-art.ts

# Regenerate the golden wire fixtures after an intended protocol change (review the diff!).
fixtures:
    UPDATE_FIXTURES=1 cargo test -p lanspread-proto --test golden

# Fuzz every decoder (wire messages, version.ini, catalog, intent log, hash index, download
# state), RUNS executions per target; `just fuzz 0 manifest` fuzzes one target for ever. Stable
# toolchain, so no sanitizer; both fuzz projects share one target dir (CARGO_TARGET_DIR/fuzz).
fuzz runs="1000000" *targets: _fuzz-tool
    scripts/fuzz.sh {{runs}} {{targets}}

# A short run of every fuzz target (CI, part of `just test`).
fuzz-smoke: _fuzz-tool
    scripts/fuzz.sh 20000

_fuzz-tool:
    command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz

# Demo peer "alpha" with a generated library, on loopback inside the shared `lanspread-demo`
# network namespace (never on the real interface). Run `just peer-cli-bravo` in another terminal.
peer-cli-alpha: (_demo-peer "alpha" "quake3,openarena")

# Demo peer "bravo"; see peer-cli-alpha.
peer-cli-bravo: (_demo-peer "bravo" "teeworlds,supertuxkart")

_demo-peer name games:
    cargo build -p lanspread-peer-cli -p lanspread-testkit
    scripts/demo-netns.sh
    scripts/demo-library.sh target/demo/{{name}}/games {{games}}
    ip netns exec lanspread-demo target/debug/lanspread-peer-cli serve --bind 127.0.0.1 --name {{name}} \
        --game-dir target/demo/{{name}}/games --state-dir target/demo/{{name}}/state

# Benchmarks (release build, emulated LAN in namespaces; needs root and the reference tools).
# `just bench` runs all and writes docs/benchmarks.md; `just bench one-to-one` runs one.
bench *which:
    scripts/bootstrap.sh --bench
    cargo build --release -p lanspread-peer-cli -p lanspread-bench
    scripts/netns-run.sh target/release/lanspread-bench {{ if which == "" { "all --out docs/benchmarks.md" } else { which } }}

# Runs go first through the install_tool example, then through the headless CLI; recovery
# must leave every game fully old or fully new (release build, SIZE MiB per game version).
# Crash-test install, update and uninstall: RUNS kill -9 runs of each, real processes.
crash-install runs="20" size="48":
    cargo build --release -p lanspread-peer --examples
    cargo build --release -p lanspread-peer-cli
    "${CARGO_TARGET_DIR:-target}/release/examples/install_crash" --runs {{runs}} --size-mb {{size}}
    "${CARGO_TARGET_DIR:-target}/release/examples/install_crash" --runs {{runs}} --size-mb {{size}} --cli "${CARGO_TARGET_DIR:-target}/release/lanspread-peer-cli"

# Both RAR5 (BLAKE2sp checksums, as rars writes them) and RAR 4.x (CRC32, WinRAR's default).
# Extraction throughput of UnrarUnpacker vs `cp -r` of the same bytes (release build).
bench-unpack size="1024":
    cargo build --release -p lanspread-unpack --example unpack_bench
    "${CARGO_TARGET_DIR:-target}/release/examples/unpack_bench" --size-mb {{size}}
    "${CARGO_TARGET_DIR:-target}/release/examples/unpack_bench" --size-mb {{size}} --rar4

# Swarm benchmark: one seeder + eight downloaders at once (swarm, naive, BitTorrent).
bench-swarm:
    scripts/bootstrap.sh --bench
    cargo build --release -p lanspread-peer-cli -p lanspread-bench
    scripts/netns-run.sh target/release/lanspread-bench swarm

# Scale benchmark: 30 peers with 200-game libraries in 30 namespaces (discovery, RSS, mDNS).
bench-scale peers="30":
    cargo build --release -p lanspread-peer-cli -p lanspread-bench
    scripts/netns-run.sh target/release/lanspread-bench scale --peers {{peers}}
