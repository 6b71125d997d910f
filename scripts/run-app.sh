#!/usr/bin/env bash
# Launches the built desktop app. Pass extra environment through, e.g.
#   LANSPREAD_GAME_DIR=/tmp/games scripts/run-app.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/debug/lanspread
if [[ ! -x $bin ]]; then
  echo "run-app: $bin is missing; run 'just build-app' first" >&2
  exit 1
fi
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "run-app: no display found; starting under xvfb-run (headless)" >&2
  exec xvfb-run -a "$bin" "$@"
fi
exec "$bin" "$@"
