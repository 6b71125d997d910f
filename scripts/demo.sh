#!/usr/bin/env bash
# `just demo`: two headless peers ("alpha", "bravo") sharing a generated library (real RAR
# archives) and the desktop app with an empty game directory, all bound to 127.0.0.1 inside the
# `lanspread-demo` network namespace (loopback only, multicast on): mDNS and QUIC never touch the
# real network. Close the window or press Ctrl+C to stop everything.
#
# Data lives in target/demo/ (the app's directory is emptied on every start; the peers'
# libraries are generated once).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${CARGO_TARGET_DIR:-$root/target}/debug
demo=$root/target/demo

for b in lanspread lanspread-peer-cli lanspread-testkit; do
  [[ -x $bin/$b ]] || { echo "demo: $bin/$b is missing; run 'just demo'" >&2; exit 1; }
done

scripts/demo-netns.sh
echo "demo: generating the demo library (first run only)…" >&2
scripts/demo-library.sh "$demo/alpha/games" quake3,openarena,cs16
scripts/demo-library.sh "$demo/bravo/games" quake3,teeworlds,supertuxkart,ut2004

rm -rf "$demo/app"
mkdir -p "$demo/app/games" "$demo/app/state" "$demo/app/config"

# Replaces the (background) subshell with the command, run in the namespace as the invoking
# user (entering a namespace needs root), so `$!` is the process itself.
in_ns() {
  if [[ $(id -u) -eq 0 ]]; then
    exec ip netns exec lanspread-demo "$@"
  else
    exec sudo --preserve-env ip netns exec lanspread-demo sudo --preserve-env -u "$(id -un)" "$@"
  fi
}

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

for name in alpha bravo; do
  in_ns "$bin/lanspread-peer-cli" serve --bind 127.0.0.1 --name "$name" \
    --game-dir "$demo/$name/games" --state-dir "$demo/$name/state" \
    </dev/null >"$demo/$name.log" 2>&1 &
  pids+=($!)
done
echo "demo: peers alpha and bravo are sharing games (logs in $demo/*.log)" >&2

app_env=(
  LANSPREAD_GAME_DIR="$demo/app/games"
  LANSPREAD_STATE_DIR="$demo/app/state"
  LANSPREAD_CONFIG_DIR="$demo/app/config"
  LANSPREAD_BIND=127.0.0.1
)
wrap=()
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "demo: no display found; starting the app under xvfb-run (headless)" >&2
  wrap=(xvfb-run -a)
fi
echo "demo: starting the app with an empty game directory ($demo/app/games)" >&2
in_ns env "${app_env[@]}" "${wrap[@]}" "$bin/lanspread" &
app=$!
pids+=("$app")
# Waiting in the background keeps Ctrl+C and TERM handled at once (the trap stops everything).
wait "$app"
