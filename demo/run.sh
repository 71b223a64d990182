#!/usr/bin/env bash
# The product demo: a private bus, the real service on it (a child process with --address),
# and vmc driving one VM of the built-in guest from start to stop. Needs /dev/kvm: run it
# through sandbox/run (directly where /dev/kvm works, else inside an emulated L1 guest).
#
#   sandbox/run demo/run.sh        (after ./dev.sh build; CONFIGURATION=Debug for a Debug build)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=private-bus.sh
source "$repo/demo/private-bus.sh"
configuration=${CONFIGURATION:-Release}
service=$repo/Concierge.Service/bin/$configuration/net10.0/concierge
vmc_exe=$repo/Concierge.Vmc/bin/$configuration/net10.0/vmc
guest=${CONCIERGE_CACHE:-$repo/.cache}/guest/current
for file in "$service" "$vmc_exe" "$guest/vmlinuz" "$guest/initramfs.cpio.gz"; do
  [ -e "$file" ] || { echo "demo: $file is missing; run ./dev.sh build (and guest/build.sh)" >&2; exit 1; }
done
[ -w /dev/kvm ] || { echo "demo: no /dev/kvm here; run it as 'sandbox/run demo/run.sh'" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  local i
  # The service first (it stops its VMs in order on SIGTERM), the bus after it.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start_private_service "$work" "$service" "$guest"
address=$bus_address

vmc() { "$vmc_exe" --address "$address" "$@"; }
show() { printf '\n$ vmc'; printf ' %q' "$@"; printf '\n'; vmc "$@"; }

started=$(date +%s.%N)
for _ in $(seq 100); do vmc list >/dev/null 2>&1 && break; sleep 0.1; done

show start demo
sleep 3   # a few heartbeats
show list
show info demo
show exec demo -- sh -c 'echo "hostname: $(hostname)"; echo "PID 1: $(cat /proc/1/comm)"'
show list
show stop demo
show list
awk -v start="$started" -v end="$(date +%s.%N)" 'BEGIN { printf "\ndemo finished in %.1f s\n", end - start }'
