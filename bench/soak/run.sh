#!/usr/bin/env bash
# Soak: start → exec → stop cycles of the built-in guest in one service, through vmc, for
# CONCIERGE_SOAK_SECONDS (1200) or CONCIERGE_SOAK_CYCLES (200), whichever comes first. After each
# stop it samples the service's open fds, threads and RSS; no VM runs then, so the RSS holds no
# guest RAM. Writes bench/soak/results.md (a table, the first-to-last drift) and results.svg
# (the three curves, drawn by gnuplot). Builds on the host, then measures in one sandbox run:
#
#   bench/soak/run.sh
#
# Needs gnuplot on the host (apt-get install gnuplot-nox). SANDBOX_TIMEOUT defaults to the soak
# time plus 20 minutes for the sandbox's own boot and the last cycle.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
seconds=${CONCIERGE_SOAK_SECONDS:-1200}
cycles=${CONCIERGE_SOAK_CYCLES:-200}
samples=$here/samples.tsv

if [ "${1:-}" != --measure ]; then
  command -v gnuplot >/dev/null || { echo "bench/soak: gnuplot is missing; apt-get install gnuplot-nox" >&2; exit 2; }
  "$repo/dev.sh" build >&2
  load_host_before=$(cut -d' ' -f1-3 /proc/loadavg)
  cd "$repo"
  rm -f "$samples"
  status=0
  SANDBOX_TIMEOUT=${SANDBOX_TIMEOUT:-$((seconds + 1200))} sandbox/run bench/soak/run.sh --measure || status=$?
  load_host_after=$(cut -d' ' -f1-3 /proc/loadavg)
  [ -s "$samples" ] || { echo "bench/soak: the sandbox run left no samples (status $status)" >&2; exit 1; }
  exec "$here/report.sh" "$samples" "$load_host_before" "$load_host_after" "$status"
fi

[ -w /dev/kvm ] || { echo "run.sh --measure: no /dev/kvm; run bench/soak/run.sh without arguments" >&2; exit 2; }
# shellcheck source=../../demo/private-bus.sh
source "$repo/demo/private-bus.sh"
guest=${CONCIERGE_CACHE:-$repo/.cache}/guest/current
service_exe=$repo/Concierge.Service/bin/Release/net10.0/concierge
vmc_exe=$repo/Concierge.Vmc/bin/Release/net10.0/vmc
work=$(mktemp -d)
pids=()
cleanup() {
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start_private_service "$work" "$service_exe" "$guest"
service=$service_pid
vmc() { "$vmc_exe" --address "$bus_address" "$@"; }
for _ in $(seq 300); do vmc list >/dev/null 2>&1 && break; sleep 0.2; done

# RSS is split as the kernel counts it: anonymous pages (the managed heap, native allocations)
# and file pages (the runtime's and our mapped code, which grow as more of it runs once).
sample() {
  local fds status
  fds=$(find "/proc/$service/fd" -mindepth 1 -maxdepth 1 | wc -l)
  status=$(awk '{ v[$1] = $2 } END { printf "%s\t%s\t%s\t%s\t", v["Threads:"], v["VmRSS:"], v["RssAnon:"], v["RssFile:"] }' "/proc/$service/status")
  printf '%s\t%s\t%s\t%s%s\n' "$1" "$2" "$fds" "$status" "$3" >> "$samples"
}

printf 'cycle\tseconds\tfds\tthreads\trss_kib\trss_anon_kib\trss_file_kib\tresult\n' > "$samples"
printf '# L1: %s CPUs, load before %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" > "$samples.meta"
began=$(date +%s)
sample 0 0 "service up"
failures=0
for ((cycle = 1; cycle <= cycles; cycle++)); do
  now=$(date +%s)
  [ $((now - began)) -lt "$seconds" ] || break
  result=ok
  if ! vmc start soak --mem 128M --cpus 1 --timeout 900 > "$work/step.log" 2>&1; then
    result="start failed: $(tail -n 1 "$work/step.log")"
  elif ! vmc exec soak -- sh -c 'echo soak' > "$work/step.log" 2>&1 || ! grep -qx soak "$work/step.log"; then
    result="exec failed: $(tail -n 1 "$work/step.log")"
  fi
  # Stopped whatever happened, so every sample is taken with no VM running.
  vmc stop soak > "$work/stop.log" 2>&1 || [ "$result" != ok ] || result="stop failed: $(tail -n 1 "$work/stop.log")"
  [ "$result" = ok ] || failures=$((failures + 1))
  sample "$cycle" $(($(date +%s) - began)) "$result"
done
printf '# L1 load after %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$samples.meta"
kill -0 "$service" || { echo "bench/soak: the service died" >&2; exit 1; }
[ "$failures" -eq 0 ]
