#!/usr/bin/env bash
# Runs cargo-fuzz targets of both fuzz projects (stable toolchain: --sanitizer none).
#
#   scripts/fuzz.sh RUNS [TARGET...]   RUNS executions per target (0 = until stopped); all
#                                      targets when none is named
# Prints one "fuzz: TARGET RUNS runs, N s" line per target; a crash stops with its input under
# <project>/artifacts/TARGET/ (reproduce: cargo fuzz run --sanitizer none TARGET FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
runs=${1:?usage: scripts/fuzz.sh RUNS [TARGET...]}
shift
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
projects=(crates/lanspread-proto/fuzz crates/lanspread-peer/fuzz)

wanted() { [[ $# -eq 0 ]] || printf '%s\n' "${@}" | grep -qx "$target"; }
for project in "${projects[@]}"; do
  (cd "$project" && cargo fuzz build --sanitizer none)
  for target in $(cd "$project" && cargo fuzz list); do
    wanted "$@" || continue
    # Seeds are committed; what the fuzzer finds goes to a scratch corpus next to them.
    mkdir -p "$project/corpus/$target"
    start=$SECONDS
    (cd "$project" && cargo fuzz run --sanitizer none "$target" "corpus/$target" -- \
      -runs="$runs" -print_final_stats=1 2>"$CARGO_TARGET_DIR/$target.log") || {
      tail -n 40 "$CARGO_TARGET_DIR/$target.log" >&2
      echo "fuzz: $target FAILED (log: $CARGO_TARGET_DIR/$target.log)" >&2
      exit 1
    }
    execs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$CARGO_TARGET_DIR/$target.log" | grep -o '[0-9]*$')
    echo "fuzz: $target ${execs:-?} runs, $((SECONDS - start)) s"
  done
done
