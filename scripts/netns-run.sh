#!/usr/bin/env bash
# Runs a command inside a fresh network namespace with only loopback (up, multicast on), so
# tests can never reach the machine's real network. Nested `ip netns` namespaces still work.
set -euo pipefail
if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
if [[ "${LANSPREAD_IN_NETNS:-}" == 1 ]]; then
  exec "$@"
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
# A private mount namespace too, so `ip netns` state created by tests stays private.
exec $SUDO unshare --net --mount --propagation private -- env LANSPREAD_IN_NETNS=1 bash -c '
  set -euo pipefail
  mount -t tmpfs tmpfs /run/netns 2>/dev/null || { mkdir -p /run/netns && mount -t tmpfs tmpfs /run/netns; }
  ip link set lo up
  ip link set lo multicast on
  exec "$@"
' bash "$@"
