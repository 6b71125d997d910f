#!/usr/bin/env bash
# Creates (once) the `lanspread-demo` network namespace used by demos: only loopback, up,
# with multicast on, so demo peers find each other without touching the real network.
set -euo pipefail
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
if ! ip netns list 2>/dev/null | grep -qw lanspread-demo; then
  $SUDO ip netns add lanspread-demo
fi
$SUDO ip netns exec lanspread-demo ip link set lo up
$SUDO ip netns exec lanspread-demo ip link set lo multicast on
