#!/usr/bin/env bash
# D-Bus round-trip benchmark: Concierge.DBus's client against sd-bus (libsystemd, what busctl uses),
# both calling the same private dbus-daemon in one run:
#   Ping  = org.freedesktop.DBus.Peer.Ping on an object served by Concierge.DBus (separate process)
#   GetId = org.freedesktop.DBus.GetId answered by the daemon itself
# Each client makes COUNT sequential calls (one outstanding) after a warm-up; ROUNDS rounds alternate
# the two clients and the median round is reported. Writes bench/dbus/results.md.
# Usage: bench/dbus/run.sh   (env: COUNT=20000 ROUNDS=3)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../demo/private-bus.sh
source "$here/../../demo/private-bus.sh"
count=${COUNT:-20000}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
daemon_pid=""
server_pid=""

cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "building (gcc + dotnet Release)..." >&2
gcc -O2 -o "$work/sdbus_bench" "$here/sdbus_bench.c" $(pkg-config --cflags --libs libsystemd)
dotnet build -c Release -nologo -v q "$here/Concierge.Bench.DBus.csproj" -o "$work/managed" >&2
managed="$work/managed/Concierge.Bench.DBus"

start_private_bus "$work"
daemon_pid=$bus_pid
address=$bus_address

mkfifo "$work/server-stdin"
"$managed" serve "$address" org.concierge.Bench < "$work/server-stdin" > "$work/server-out" &
server_pid=$!
exec 3>"$work/server-stdin"
for _ in $(seq 200); do grep -q ready "$work/server-out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$work/server-out" || { echo "bench server did not start" >&2; exit 1; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
ping=(org.concierge.Bench /org/concierge/Bench org.freedesktop.DBus.Peer Ping)
getid=(org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId)
: > "$work/lines"
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  "$work/sdbus_bench" "$address" "${ping[@]}" "$count" "sd-bus:Ping" >> "$work/lines"
  "$managed" call "$address" "${ping[@]}" "$count" "Concierge.DBus:Ping" >> "$work/lines"
  "$work/sdbus_bench" "$address" "${getid[@]}" "$count" "sd-bus:GetId" >> "$work/lines"
  "$managed" call "$address" "${getid[@]}" "$count" "Concierge.DBus:GetId" >> "$work/lines"
done
exec 3>&-
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Median round (by p50) per client and call.
summary=$(awk '
  { split($1, id, ":"); key = $1; n[key]++;
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[key, n[key], kv[1]] = kv[2] } }
  END {
    for (key in n) {
      m = n[key]; for (i = 1; i <= m; i++) order[i] = i
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
        if (v[key, order[j], "p50_us"] < v[key, order[i], "p50_us"]) { t = order[i]; order[i] = order[j]; order[j] = t }
      mid = order[int((m + 1) / 2)]
      printf "%s %s %s %s\n", key, v[key, mid, "per_second"], v[key, mid, "p50_us"], v[key, mid, "p99_us"]
    }
  }' "$work/lines" | sort)

{
  echo "# D-Bus round trips: Concierge.DBus vs sd-bus"
  echo
  echo "Produced by \`bench/dbus/run.sh\` (COUNT=$count calls per client per round, ROUNDS=$rounds, median round by p50)"
  echo "on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r), $(dbus-daemon --version | head -n1)."
  echo "Load average (1/5/15 min) before: $load_before, after: $load_after; other jobs share the CPUs, so compare"
  echo "the two clients within a round rather than across runs."
  echo "Both clients talk to the same private dbus-daemon in one run, one call outstanding at a time."
  echo "Ping goes to an object served by Concierge.DBus in a separate process; GetId is answered by the daemon."
  echo
  echo "| call | client | calls/s | p50 µs | p99 µs |"
  echo "|---|---|---:|---:|---:|"
  echo "$summary" | while read -r key rate p50 p99; do
    echo "| ${key#*:} | ${key%%:*} | $rate | $p50 | $p99 |"
  done
  echo
  echo "Latency ratio (Concierge.DBus p50 / sd-bus p50):"
  for call in Ping GetId; do
    ours=$(echo "$summary" | awk -v k="Concierge.DBus:$call" '$1 == k { print $3 }')
    theirs=$(echo "$summary" | awk -v k="sd-bus:$call" '$1 == k { print $3 }')
    echo "- $call: $(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2fx", a / b }')"
  done
  echo
  echo "Raw rounds:"
  echo
  echo '```'
  cat "$work/lines"
  echo '```'
} > "$here/results.md"
cat "$here/results.md"
