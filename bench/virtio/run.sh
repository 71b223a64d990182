#!/usr/bin/env bash
# Side-by-side virtio throughput (ours vs QEMU virtio-blk-pci / vhost-vsock-pci) in one sandbox
# run; writes bench/virtio/results.md. Needs a Release build of Concierge.Tests
# (dotnet build Concierge.sln -c Release): a Debug build runs our device code unoptimised.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export CONCIERGE_CACHE=${CONCIERGE_CACHE:-$repo/.cache}
configuration=${BENCH_CONFIGURATION:-Release}
before=$(cut -d' ' -f1-3 /proc/loadavg)
results=bench/virtio/results.md
stamp=$(stat -c %Y "$results" 2>/dev/null || echo 0)
sandbox/run "Concierge.Tests/bin/$configuration/net10.0/Concierge.Tests" --filter "FullyQualifiedName~Concierge.Tests.Vmm.Devices.Virtio.VirtioBench"
status=$?
after=$(cut -d' ' -f1-3 /proc/loadavg)
# The machine is shared and the two monitors run one after the other: record how busy it was.
if [ "$(stat -c %Y "$results" 2>/dev/null || echo 0)" != "$stamp" ]; then
  printf '\nHost load average (1/5/15 min) before the run: %s; after: %s (%s cores). Build: %s.\n' \
    "$before" "$after" "$(nproc)" "$configuration" >> "$results"
fi
exit "$status"
