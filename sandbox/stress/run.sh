#!/usr/bin/env bash
# Runs kvm-churn (see kvm-churn.c) inside the sandbox's L1, to measure how often a configuration
# of the emulated machine freezes without any of our code involved.
#
#   sandbox/stress/run.sh SECONDS THREADS run|kill
#
# The sandbox's own variables choose the configuration (SANDBOX_TCG, SANDBOX_CPUS,
# SANDBOX_MEMORY, SANDBOX_KVM_AMD, SANDBOX_QEMU). Exit status as sandbox/run: 123 means L1 froze.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 3 ] || { echo "usage: sandbox/stress/run.sh SECONDS THREADS run|kill" >&2; exit 2; }
binary=${CONCIERGE_CACHE:-$repo/.cache}/sandbox/kvm-churn
mkdir -p "$(dirname "$binary")"
gcc -O2 -Wall -Wextra -Werror -pthread -o "$binary" "$repo/sandbox/stress/kvm-churn.c"
SANDBOX_MODE=l1 exec "$repo/sandbox/run" "$binary" "$@"
