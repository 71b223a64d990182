#!/usr/bin/env bash
# Measures how often each configuration of the sandbox's L1 freezes under kvm-churn, and prints
# one Markdown table row per configuration.
#
#   sandbox/stress/compare.sh RUNS SECONDS 'LABEL|VAR=VALUE ...' ['LABEL|VAR=VALUE ...' ...]
#
# e.g. sandbox/stress/compare.sh 2 150 'old default|SANDBOX_HOLD_VM=0' 'one VM held|SANDBOX_HOLD_VM=1'
# Each run is `sandbox/stress/run.sh SECONDS 2 run` with the variables set; a run that ends with
# 123 froze. The row gives runs, freezes, and the churn cycles each run reached (a frozen run:
# the last count it printed, and when).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 3 ] || { echo "usage: sandbox/stress/compare.sh RUNS SECONDS 'LABEL|VAR=VALUE ...'..." >&2; exit 2; }
runs=$1 seconds=$2
shift 2
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "| configuration | runs | freezes | cycles per run (frozen: last count seen) | load before → after |"
echo "|---|---|---|---|---|"
for configuration in "$@"; do
  label=${configuration%%|*}
  read -r -a variables <<< "${configuration#*|}"
  freezes=0 cycles=() load_before=$(cut -d' ' -f1 /proc/loadavg)
  for _ in $(seq "$runs"); do
    status=0
    env "${variables[@]}" "$repo/sandbox/stress/run.sh" "$seconds" 2 run > "$log" 2>&1 || status=$?
    last=$(grep -o 'kvm-churn: [0-9]* s, [0-9]* cycles' "$log" | tail -n 1 | awk '{ print $4 " by " $2 " s" }' || true)
    case "$status" in
      0) cycles+=("$(sed -n 's/^kvm-churn: done, \([0-9]*\) cycles.*/\1/p' "$log")") ;;
      123) freezes=$((freezes + 1)) cycles+=("frozen (${last:-before the first count})") ;;
      *) cycles+=("error $status") ; tail -n 5 "$log" >&2 ;;
    esac
  done
  (IFS=,; echo "| $label (\`${configuration#*|}\`) | $runs | $freezes | ${cycles[*]} | $load_before → $(cut -d' ' -f1 /proc/loadavg) |")
done
