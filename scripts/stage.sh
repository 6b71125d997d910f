#!/usr/bin/env bash
# Runs one stage of `just test` and prints how long it took: scripts/stage.sh NAME COMMAND...
set -euo pipefail
name=$1
shift
start=$SECONDS
status=0
"$@" || status=$?
echo "stage $name: $((SECONDS - start)) s$([[ $status -ne 0 ]] && echo " (FAILED, exit $status)")" >&2
exit $status
