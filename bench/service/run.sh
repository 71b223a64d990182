#!/usr/bin/env bash
# Service benchmark: StartVm → hello split into phases (D-Bus, build, kernel boot, guest init),
# ListVms/GetVmInfo latency on both D-Bus faces with 1 and 50 registered VMs next to a trivial
# peer replaying the same replies, and the service's memory per running VM. Writes
# bench/service/results.md. Builds on the host, then measures in one sandbox run:
#
#   bench/service/run.sh
#
# Environment (the CONCIERGE_ prefix lets sandbox/run pass them in): CONCIERGE_BENCH_BOOTS (3 VMs
# booted and kept running), CONCIERGE_BENCH_REGISTERED (50), CONCIERGE_BENCH_CALLS (200 per
# cell: a call takes milliseconds in the emulated L1); SANDBOX_TIMEOUT (2400 s).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../../demo/private-bus.sh
source "$repo/demo/private-bus.sh"
cache=${CONCIERGE_CACHE:-$repo/.cache}
guest=$cache/guest/current
service=$repo/Concierge.Service/bin/Release/net10.0/concierge
bench=$here/ServiceBench/bin/Release/net10.0/ServiceBench
boots=${CONCIERGE_BENCH_BOOTS:-3}
registered=${CONCIERGE_BENCH_REGISTERED:-50}
calls=${CONCIERGE_BENCH_CALLS:-200}

if [ "${1:-}" != --measure ]; then
  dotnet build "$repo/Concierge.Service/Concierge.Service.csproj" -c Release -nologo -v:q >&2
  dotnet build "$here/ServiceBench/ServiceBench.csproj" -c Release -nologo -v:q >&2
  [ -f "$guest/initramfs.cpio.gz" ] || "$repo/guest/build.sh" >&2
  load_host=$(cut -d' ' -f1-3 /proc/loadavg)
  cd "$repo"
  CONCIERGE_BENCH_HOST_LOAD=$load_host SANDBOX_TIMEOUT=${SANDBOX_TIMEOUT:-2400} exec sandbox/run bench/service/run.sh --measure
fi

[ -w /dev/kvm ] || { echo "run.sh --measure: no /dev/kvm; run bench/service/run.sh without arguments" >&2; exit 2; }
work=$(mktemp -d)
daemon_pid=""
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The service reads its image directory: vmlinuz and initramfs.cpio.gz of the built-in guest.
mkdir -p "$work/images"
ln -s "$guest/vmlinuz" "$work/images/vmlinuz"
ln -s "$guest/initramfs.cpio.gz" "$work/images/initramfs.cpio.gz"
start_private_bus "$work"
daemon_pid=$bus_pid
address=$bus_address

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
status=0
# The bench rewrites the body after each stage; it lives in the checkout so a killed sandbox leaves it.
body=$here/results.body.md
"$bench" run "$address" "$service" "$work/images" "$boots" "$registered" "$calls" "$body" || status=$?
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "# Service benchmark: StartVm phases, list/info latency, memory per VM"
  echo
  echo 'Produced by `bench/service/run.sh` (builds on the host, then measures in one `sandbox/run`):'
  echo "CONCIERGE_BENCH_BOOTS=$boots, CONCIERGE_BENCH_REGISTERED=$registered, CONCIERGE_BENCH_CALLS=$calls."
  echo "Run $started, kernel $(uname -r), $(nproc) CPUs, $( [ -n "${SANDBOX_L1:-}" ] && echo 'inside the QEMU TCG L1 sandbox with nested SVM (absolute times are slow: compare phases and ratios)' || echo 'directly on /dev/kvm'), $(dbus-daemon --version | head -n1)."
  echo "Load average (1/5/15 min): host before the sandbox ${CONCIERGE_BENCH_HOST_LOAD:-unknown}; in the sandbox before $load_before, after $load_after."
  echo "Guest: the built-in guest ($(basename "$(readlink -f "$guest")")), idle after its hello (heartbeats only)."
  echo
  cat "$body"
} > "$work/results.md"
cp "$work/results.md" "$here/results.md"
rm -f "$body"
cat "$work/results.md"
exit "$status"
