#!/usr/bin/env bash
# Generates demo games (real RAR archives) into DIR unless they exist.
#   scripts/demo-library.sh DIR quake3,openarena
set -euo pipefail
dir=$1
IFS=, read -ra games <<<"$2"
mkdir -p "$dir"
declare -A ver=([quake3]=20250314 [openarena]=088 [teeworlds]=0.7.5 [supertuxkart]=1.4 [cs16]=1.6 [ut2004]=3369)
declare -A mib=([quake3]=24 [openarena]=16 [teeworlds]=4 [supertuxkart]=12 [cs16]=8 [ut2004]=20)
seed=11
for g in "${games[@]}"; do
  seed=$((seed + 1))
  if [[ ! -f "$dir/$g/version.ini" ]]; then
    args=()
    [[ $g == openarena ]] && args+=(--volumes 6)
    "${CARGO_TARGET_DIR:-target}/debug/lanspread-testkit" make-game "$dir" "$g" "${ver[$g]:-1}" "${mib[$g]:-8}" --seed "$seed" "${args[@]}" >/dev/null
  fi
done
