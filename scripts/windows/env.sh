# Sourced by scripts/windows.sh: the cross toolchain for x86_64-pc-windows-gnu.
#
# Where rustup has the target installed (a machine with internet), rustup's cargo builds it.
# Otherwise (this project's CI: only Debian, crates.io, npm and PyPI are reachable) Debian's
# rustc-web/cargo-web with the standard library's source rebuild std for the target
# (`-Zbuild-std`, allowed on a stable compiler by RUSTC_BOOTSTRAP=1). MinGW-w64 links, Wine runs.
# Sets: WIN_CARGO (command array), WIN_TARGET, WIN_TARGET_DIR, WIN_PROFILE, WIN_OUT, WINE.

WIN_TARGET=x86_64-pc-windows-gnu
WIN_PROFILE=windows
# Its own target directory: a cross std and cross artifacts never evict the Linux ones.
WIN_TARGET_DIR="${WIN_TARGET_DIR:-$PWD/target/windows-build}"
WIN_OUT="$WIN_TARGET_DIR/$WIN_TARGET/$WIN_PROFILE"

win_log() { printf '\033[1mwindows:\033[0m %s\n' "$*" >&2; }

win_apt() {
  local want=("$@") missing=() p
  for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    win_log "apt: installing ${missing[*]}"
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
}

# MinGW (64-bit only: the i686 half is not needed) and Wine.
win_apt gcc-mingw-w64-x86-64-posix g++-mingw-w64-x86-64-posix mingw-w64-x86-64-dev \
  binutils-mingw-w64-x86-64 wine64 zip unzip

if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx "$WIN_TARGET"; then
  WIN_CARGO=(cargo)
else
  win_apt rustc-web cargo-web rust-web-src
  # Debian's compiler, not rustup's proxies (which come first on PATH).
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  WIN_CARGO=(/usr/bin/cargo -Zbuild-std=std,panic_abort)
fi
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc-posix
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc-posix
export CXX_x86_64_pc_windows_gnu=x86_64-w64-mingw32-g++-posix
export AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
export CARGO_TARGET_DIR="$WIN_TARGET_DIR"

# Wine 8's loader is not on PATH. Its prefix lives in the target directory, so CI never
# touches ~/.wine; WINEDEBUG keeps its fixme chatter out of test output.
WINE=/usr/lib/wine/wine64
export WINEPREFIX="${WINEPREFIX:-$WIN_TARGET_DIR/wineprefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
