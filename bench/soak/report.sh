#!/usr/bin/env bash
# Writes bench/soak/results.md and results.svg from the samples bench/soak/run.sh took:
#
#   bench/soak/report.sh SAMPLES HOST_LOAD_BEFORE HOST_LOAD_AFTER SANDBOX_STATUS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
samples=$1
load_before=$2
load_after=$3
status=$4

gnuplot <<PLOT
set terminal svg size 900,720 dynamic font "sans,11"
set output "$here/results.svg"
set datafile separator "\t"
set key off
set grid
set multiplot layout 3,1 title "Concierge service across start → exec → stop cycles (sampled after each stop)"
set ylabel "open fds"
plot "$samples" skip 1 using 1:3 with linespoints pointtype 7 pointsize 0.4
set ylabel "threads"
plot "$samples" skip 1 using 1:4 with linespoints pointtype 7 pointsize 0.4
set ylabel "RSS (MiB)"
set xlabel "cycle"
set key top left
plot "$samples" skip 1 using 1:(\$5 / 1024) title "RSS" with linespoints pointtype 7 pointsize 0.4, \
     "$samples" skip 1 using 1:(\$6 / 1024) title "anonymous" with linespoints pointtype 7 pointsize 0.4, \
     "$samples" skip 1 using 1:(\$7 / 1024) title "file-backed" with linespoints pointtype 7 pointsize 0.4
unset multiplot
PLOT

# Drift is judged from cycle 1 on: cycle 0 is the service before its first VM, when the runtime
# has not yet loaded the monitor's code or grown its thread pool.
summary=$(awk -F '\t' '
  NR == 1 || $1 == 0 { next }
  { n++; if (n == 1) { f0 = $3; t0 = $4; r0 = $5; a0 = $6; m0 = $7 } f1 = $3; t1 = $4; r1 = $5; a1 = $6; m1 = $7
    if ($3 > fmax) fmax = $3; if ($4 > tmax) tmax = $4; if ($5 > rmax) rmax = $5; if ($6 > amax) amax = $6; if ($7 > mmax) mmax = $7
    if ($8 != "ok") bad++; secs = $2 }
  END {
    printf "| open fds | %d | %d | %+d | %d |\n", f0, f1, f1 - f0, fmax
    printf "| threads | %d | %d | %+d | %d |\n", t0, t1, t1 - t0, tmax
    printf "| RSS (MiB) | %.1f | %.1f | %+.1f | %.1f |\n", r0 / 1024, r1 / 1024, (r1 - r0) / 1024, rmax / 1024
    printf "| of it anonymous (MiB) | %.1f | %.1f | %+.1f | %.1f |\n", a0 / 1024, a1 / 1024, (a1 - a0) / 1024, amax / 1024
    printf "| of it file-backed (MiB) | %.1f | %.1f | %+.1f | %.1f |\n", m0 / 1024, m1 / 1024, (m1 - m0) / 1024, mmax / 1024
    printf "CYCLES=%d FAILED=%d SECONDS=%d\n", n, bad + 0, secs
  }' "$samples")
eval "$(grep '^CYCLES=' <<<"$summary")"

{
  echo "# Soak: the service across start → exec → stop cycles"
  echo
  echo 'Produced by `bench/soak/run.sh` (builds on the host, then runs the cycles in one `sandbox/run`),'
  echo "CONCIERGE_SOAK_SECONDS=${CONCIERGE_SOAK_SECONDS:-1200}, CONCIERGE_SOAK_CYCLES=${CONCIERGE_SOAK_CYCLES:-200}; run $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "Each cycle is \`vmc start soak --mem 128M --cpus 1\`, \`vmc exec soak -- sh -c 'echo soak'\` and \`vmc stop soak\`"
  echo "of the built-in guest on real KVM inside the QEMU TCG L1 sandbox (absolute times are slow)."
  echo "The service's open fds, threads and RSS are read from /proc after each stop, when no VM runs,"
  echo "so the RSS holds no guest RAM. RSS is split as the kernel counts it: anonymous (managed heap,"
  echo "native allocations) and file-backed (mapped code of the runtime and ours, which grows as more runs once)."
  echo "Host load average (1/5/15 min) before $load_before, after $load_after; $(grep -h '^# L1' "$samples.meta" 2>/dev/null | sed 's/^# //' | paste -sd ';' -)."
  echo
  echo "$CYCLES cycles in $SECONDS s, $FAILED failed; sandbox exit status $status."
  echo
  echo "| | cycle 1 | last cycle | drift | highest |"
  echo "|---|---|---|---|---|"
  grep '^|' <<<"$summary"
  echo
  echo '![fds, threads and RSS per cycle](results.svg)'
  echo
  echo "Every sample (cycle 0: the service before its first VM):"
  echo
  echo "| cycle | s | fds | threads | RSS (MiB) | anonymous | file-backed | result |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F '\t' 'NR > 1 { printf "| %d | %d | %d | %d | %.1f | %.1f | %.1f | %s |\n", $1, $2, $3, $4, $5 / 1024, $6 / 1024, $7 / 1024, $8 }' "$samples"
} > "$here/results.md"
cat "$here/results.md"
[ "$status" -eq 0 ] && [ "$FAILED" -eq 0 ]
