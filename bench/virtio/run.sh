#!/usr/bin/env bash
# Side-by-side virtio throughput (ours vs QEMU virtio-blk-pci / vhost-vsock-pci) in one sandbox
# run; writes bench/virtio/results.md. Needs a built Concierge.Tests (dotnet build Concierge.Tests).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
export CONCIERGE_CACHE=${CONCIERGE_CACHE:-$repo/.cache}
exec sandbox/run Concierge.Tests/bin/Debug/net10.0/Concierge.Tests --filter "FullyQualifiedName~Concierge.Tests.Vmm.Devices.Virtio.VirtioBench"
