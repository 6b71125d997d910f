#!/usr/bin/env bash
# Installs whatever lanspread's build, run and test need and is missing. Idempotent: a second
# run only checks and takes a few seconds.
#
#   scripts/bootstrap.sh           build + run + test tools
#   scripts/bootstrap.sh --bench   also the benchmark reference tools (nginx, aria2, ...)
set -euo pipefail
cd "$(dirname "$0")/.."

want_bench=0
[[ "${1:-}" == "--bench" ]] && want_bench=1

log() { printf '\033[1mbootstrap:\033[0m %s\n' "$*" >&2; }
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
export PATH="$HOME/.cargo/bin:$PATH"

apt_pkgs=(
  libwebkit2gtk-4.1-dev build-essential pkg-config curl file
  xvfb xauth webkit2gtk-driver imagemagick iproute2 procps psmisc util-linux iptables
  libayatana-appindicator3-1 dbus xdotool trayer python3-xlib
)
if [[ $want_bench -eq 1 ]]; then
  apt_pkgs+=(nginx-light aria2 opentracker hyperfine time)
fi
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  log "apt: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  log "Rust (cargo) is required: install it from https://rustup.rs and re-run"
  exit 1
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "Node.js and npm are required: apt install nodejs npm, then re-run"
  exit 1
fi
if ! command -v deno >/dev/null; then
  log "installing deno (npm)"
  $SUDO npm install -g deno
fi
for tool in just tauri-driver cargo-fuzz; do
  if ! command -v "$tool" >/dev/null; then
    log "installing $tool (cargo install --locked)"
    cargo install --locked "$tool"
  fi
done

# Frontend packages from package.json (deno reads it; no lifecycle scripts run).
if [[ ! -d node_modules/.deno || package.json -nt node_modules/.deno ]]; then
  log "installing frontend packages"
  deno install
  touch node_modules/.deno
fi
log "ready"
