#!/usr/bin/env bash
# The Windows build of lanspread, cross-compiled on Linux for x86_64-pc-windows-gnu, and its
# tests under Wine. See docs/windows.md.
#
#   scripts/windows.sh build   release builds of lanspread.exe and lanspread-peer-cli.exe,
#                              packed as target/windows/lanspread-windows-x64.zip
#   scripts/windows.sh test    the Windows-target tests of lanspread-proto, -unpack and -peer
#                              under Wine, then the Wine e2e (Linux <-> Windows peers in
#                              network namespaces); needs `build` first
#   scripts/windows.sh wine EXE [ARGS...]   run a Windows program of the build under Wine
#
# The toolchain (MinGW-w64, Wine 8, and where rustup lacks the target Debian's Rust with the
# standard library's source) is installed on first use: scripts/windows/env.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source scripts/windows/env.sh

ZIP_DIR="$PWD/target/windows"
ZIP="$ZIP_DIR/lanspread-windows-x64.zip"
SHIM_DIR="$WIN_TARGET_DIR/wine-shim"

# DLLs every Windows 10/11 has (System32), matched case-insensitively; anything else an exe
# imports must be in the zip.
SYSTEM_DLLS="advapi32 bcrypt bcryptprimitives comctl32 combase comdlg32 crypt32 d2d1 dbghelp dwmapi
dwrite gdi32 gdiplus imm32 iphlpapi kernel32 msvcrt ncrypt ntdll ole32 oleaut32 powrprof propsys
rpcrt4 secur32 setupapi shcore shell32 shlwapi user32 userenv uxtheme version winhttp winmm
winspool.drv ws2_32 wsock32 windowscodecs uiautomationcore"

# The test-only ProcessPrng stand-in (scripts/windows/processprng.c), found by Wine through
# WINEPATH for test executables and the e2e.
prepare_wine() {
  mkdir -p "$SHIM_DIR"
  if [[ ! -f "$SHIM_DIR/bcryptprimitives.dll" || scripts/windows/processprng.c -nt "$SHIM_DIR/bcryptprimitives.dll" ]]; then
    x86_64-w64-mingw32-gcc -O2 -shared -o "$SHIM_DIR/bcryptprimitives.dll" scripts/windows/processprng.c -ladvapi32
  fi
  if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
    win_log "creating the Wine prefix $WINEPREFIX"
    "$WINE" wineboot -i >/dev/null 2>&1 || true
  fi
  # No wineserver may outlive this step: one started here would serve (and create sockets
  # for) Wine processes later started inside a network namespace.
  /usr/lib/wine/wineserver -w || true
  export WINEPATH
  WINEPATH="$(winepath_of "$SHIM_DIR")"
}

# Z:\-path of a Linux directory (Wine maps / to Z:).
winepath_of() { printf 'Z:%s' "$(printf '%s' "$1" | tr '/' '\\')"; }

# "Windows GUI" or "Windows CUI".
subsystem() {
  local dump
  dump="$(x86_64-w64-mingw32-objdump -p "$1")"
  sed -n 's/^Subsystem.*(\(.*\))$/\1/p' <<<"$dump"
}

check_imports() {
  local exe="$1" dll lower missing=0
  local dump
  dump="$(x86_64-w64-mingw32-objdump -p "$exe")"
  for dll in $(sed -n 's/^\s*DLL Name: //p' <<<"$dump" | sort -u); do
    lower="${dll,,}"
    lower="${lower%.dll}"
    if [[ "$lower" == api-ms-win-* ]] || grep -qw -- "$lower" <<<"$SYSTEM_DLLS"; then
      continue
    fi
    if [[ -f "$ZIP_DIR/stage/$dll" ]]; then
      continue
    fi
    win_log "$(basename "$exe") imports $dll, which is neither in Windows 10 nor in the zip"
    missing=1
  done
  return $missing
}

cmd_build() {
  local t0=$SECONDS
  command -v deno >/dev/null && deno task build >/dev/null
  win_log "building lanspread-peer-cli.exe and lanspread.exe (profile $WIN_PROFILE, target dir $WIN_TARGET_DIR)"
  "${WIN_CARGO[@]}" build --profile "$WIN_PROFILE" --target "$WIN_TARGET" \
    -p lanspread-peer-cli -p lanspread-app --features lanspread-app/custom-protocol
  local stage="$ZIP_DIR/stage"
  rm -rf "$stage" && mkdir -p "$stage"
  cp "$WIN_OUT/lanspread.exe" "$WIN_OUT/lanspread-peer-cli.exe" "$stage/"
  # Symbols off the shipped copies (the build keeps them for debugging): 44 → 27 MB.
  x86_64-w64-mingw32-strip "$stage/lanspread.exe" "$stage/lanspread-peer-cli.exe"
  local loader
  loader="$(find "$WIN_OUT" -name WebView2Loader.dll -path '*x64*' -print -quit)"
  [[ -n "$loader" ]] || loader="$(find "$WIN_OUT" -name WebView2Loader.dll -print -quit)"
  [[ -n "$loader" ]] || { win_log "WebView2Loader.dll was not produced by the build"; exit 1; }
  cp "$loader" "$stage/"
  sed 's/$/\r/' scripts/windows/README-windows.txt >"$stage/README-windows.txt"
  # The Wine stand-in must never ship.
  [[ ! -e "$stage/bcryptprimitives.dll" ]]
  check_imports "$stage/lanspread.exe"
  check_imports "$stage/lanspread-peer-cli.exe"
  # lanspread.exe is a GUI program (no console window); the CLI is a console program.
  [[ "$(subsystem "$stage/lanspread.exe")" == "Windows GUI" ]] \
    || { win_log "lanspread.exe is not a GUI-subsystem exe"; exit 1; }
  [[ "$(subsystem "$stage/lanspread-peer-cli.exe")" == "Windows CUI" ]] \
    || { win_log "lanspread-peer-cli.exe is not a console exe"; exit 1; }
  rm -f "$ZIP"
  (cd "$stage" && zip -q -9 -X "$ZIP" lanspread.exe lanspread-peer-cli.exe WebView2Loader.dll README-windows.txt)
  win_log "wrote $ZIP ($(du -h "$ZIP" | cut -f1); built in $((SECONDS - t0)) s)"
  unzip -l "$ZIP" >&2
}

# The Linux side of the e2e: the project's own toolchain and target directory, not the cross
# build's (which would compile the whole Linux workspace a second time).
linux_cargo() { env -u RUSTC -u RUSTDOC -u RUSTC_BOOTSTRAP -u CARGO_TARGET_DIR cargo "$@"; }

cmd_test() {
  [[ -f "$ZIP" ]] || { win_log "no $ZIP: run scripts/windows.sh build first"; exit 1; }
  prepare_wine
  local run="$ZIP_DIR/run"
  rm -rf "$run" && mkdir -p "$run"
  unzip -q "$ZIP" -d "$run"
  win_log "lanspread-peer-cli.exe --version under Wine: $("$WINE" "$run/lanspread-peer-cli.exe" --version | tr -d '\r')"
  export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$WINE"
  # Unit tests of the three core crates, plus the unpacker's tests on real RAR archives, as
  # Windows executables under Wine, inside a fresh network namespace (tests open sockets).
  local tests=(test --profile "$WIN_PROFILE" --target "$WIN_TARGET"
    -p lanspread-proto -p lanspread-unpack -p lanspread-peer --lib --test extract)
  "${WIN_CARGO[@]}" "${tests[@]}" --no-run
  linux_cargo test -p lanspread-peer-cli --test e2e_windows --no-run
  scripts/netns-run.sh "${WIN_CARGO[@]}" "${tests[@]}" --offline -- --test-threads 2
  /usr/lib/wine/wineserver -w || true
  # Linux `serve` → Windows `get` under Wine → Windows `serve` → Linux `get`.
  LANSPREAD_WINDOWS_CLI="$run/lanspread-peer-cli.exe" LANSPREAD_WINE="$WINE" scripts/netns-run.sh \
    env -u RUSTC -u RUSTDOC -u RUSTC_BOOTSTRAP -u CARGO_TARGET_DIR \
    cargo test -p lanspread-peer-cli --offline --test e2e_windows -- --ignored --nocapture --test-threads 1
}

case "${1:-}" in
  build) cmd_build ;;
  test) cmd_test ;;
  wine) shift; prepare_wine; exec "$WINE" "$@" ;;
  *)
    echo "usage: scripts/windows.sh build | test | wine EXE [ARGS...]" >&2
    exit 2
    ;;
esac
