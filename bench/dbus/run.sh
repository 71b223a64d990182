#!/usr/bin/env bash
# D-Bus round-trip benchmark, three clients against two servers and the daemon, all on one private
# dbus-daemon in one run:
#   clients: sd-bus (libsystemd, what busctl uses), Tmds.DBus.Protocol, and the retired Concierge.DBus
#   servers: a Tmds.DBus.Protocol process (Echo(s) -> s through IPathMethodHandler, Peer.Ping answered
#            by the library), the retired Concierge.DBus bench server (Peer.Ping only), and the daemon
#            itself (org.freedesktop.DBus.GetId)
# The retired library and its bench program are not in the working tree: they are taken from git
# (commit $retired, the last one that has Concierge.DBus) into a temp dir and built there.
# Each client makes COUNT sequential calls (one outstanding) after a warm-up. Each of ROUNDS rounds
# runs every pair, the clients of one call back to back (in reverse order every other round). The
# table gives each pair's median round (by p50); ratios are the median of per-round ratios, since
# the load changes between rounds more than between back-to-back pairs. Everything here runs at
# nice 10. Writes bench/dbus/results.md.
# Usage: bench/dbus/run.sh   (env: COUNT=10000 ROUNDS=7)
set -euo pipefail

renice -n 10 -p $$ > /dev/null
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../../demo/private-bus.sh
source "$root/demo/private-bus.sh"
count=${COUNT:-10000}
rounds=${ROUNDS:-7}
retired=bb5dbbcef17abf56823e3b87d16b5ea8efec977f
echo_argument="org.concierge.Bench echo payload"
work=$(mktemp -d)
daemon_pid=""
server_pids=()

cleanup() {
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "building sd-bus client (gcc)..." >&2
gcc -O2 -o "$work/sdbus_bench" "$here/sdbus_bench.c" $(pkg-config --cflags --libs libsystemd)
echo "building Tmds.DBus.Protocol bench (dotnet Release)..." >&2
dotnet build -c Release -nologo -v q "$here/Concierge.Bench.DBus.csproj" -o "$work/tmds" >&2
echo "building retired Concierge.DBus bench from git ${retired:0:7} (dotnet Release)..." >&2
mkdir "$work/retired-src"
git -C "$root" archive "$retired" Concierge.DBus Directory.Build.props Directory.Packages.props global.json .editorconfig \
  bench/dbus/Concierge.Bench.DBus.csproj bench/dbus/Program.cs bench/dbus/BenchClient.cs bench/dbus/BenchServer.cs \
  | tar -x -C "$work/retired-src"
dotnet build -c Release -nologo -v q "$work/retired-src/bench/dbus/Concierge.Bench.DBus.csproj" -o "$work/retired" >&2
declare -A client=([sd-bus]="$work/sdbus_bench" [Tmds]="$work/tmds/Concierge.Bench.DBus call" [Concierge.DBus]="$work/retired/Concierge.Bench.DBus call")

start_private_bus "$work"
daemon_pid=$bus_pid
address=$bus_address

# Both servers read the same fifo and stop when the script closes it.
mkfifo "$work/server-stdin"
start_server() { # LABEL EXECUTABLE NAME
  "$2" serve "$address" "$3" < "$work/server-stdin" > "$work/$1.out" &
  server_pids+=($!)
}
start_server tmds "$work/tmds/Concierge.Bench.DBus" org.concierge.Bench.Tmds
start_server retired "$work/retired/Concierge.Bench.DBus" org.concierge.Bench.Retired
exec 3>"$work/server-stdin"
for server in tmds retired; do
  for _ in $(seq 200); do grep -q ready "$work/$server.out" 2>/dev/null && break; sleep 0.05; done
  grep -q ready "$work/$server.out" || { echo "bench server $server did not start" >&2; exit 1; }
done

# measure CALL SERVER CLIENT DEST PATH INTERFACE MEMBER [STRING]: one timed run, one line in $work/lines.
measure() {
  local call=$1 server=$2 name=$3
  shift 3
  # shellcheck disable=SC2086 # client[...] is an executable and, for the managed ones, a verb
  ${client[$name]} "$address" "$1" "$2" "$3" "$4" "$count" "$call@$server:$name" "${@:5}" >> "$work/lines"
}
# in_order ROUND NAME...: the names, reversed in even rounds.
in_order() {
  local round=$1
  shift
  if (( round % 2 )); then echo "$@"; else printf '%s\n' "$@" | tac | xargs; fi
}
echo_call=(org.concierge.Bench.Tmds /org/concierge/Bench org.concierge.Bench Echo "$echo_argument")
ping_tmds=(org.concierge.Bench.Tmds /org/concierge/Bench org.freedesktop.DBus.Peer Ping)
ping_retired=(org.concierge.Bench.Retired /org/concierge/Bench org.freedesktop.DBus.Peer Ping)
getid=(org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$work/lines"
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  # The retired client cannot send arguments (its bench program calls without a body): no Echo for it.
  for name in $(in_order "$round" sd-bus Tmds); do measure Echo Tmds "$name" "${echo_call[@]}"; done
  for name in $(in_order "$round" sd-bus Tmds Concierge.DBus); do measure Ping Tmds "$name" "${ping_tmds[@]}"; done
  for name in $(in_order "$round" sd-bus Tmds Concierge.DBus); do measure Ping Concierge.DBus "$name" "${ping_retired[@]}"; done
  for name in $(in_order "$round" sd-bus Tmds Concierge.DBus); do measure GetId daemon "$name" "${getid[@]}"; done
done
exec 3>&-
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Median round (by p50) per pair, in the order of the first round: "CALL@SERVER:CLIENT per_second p50 p99".
summary=$(awk '
  { key = $1; if (!(key in n)) order_of[++keys] = key; n[key]++
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[key, n[key], kv[1]] = kv[2] } }
  END {
    for (k = 1; k <= keys; k++) {
      key = order_of[k]; m = n[key]; for (i = 1; i <= m; i++) order[i] = i
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
        if (v[key, order[j], "p50_us"] + 0 < v[key, order[i], "p50_us"] + 0) { t = order[i]; order[i] = order[j]; order[j] = t }
      mid = order[int((m + 1) / 2)]
      printf "%s %s %s %s\n", key, v[key, mid, "per_second"], v[key, mid, "p50_us"], v[key, mid, "p99_us"]
    }
  }' "$work/lines")
# ratio A B: the median over rounds of p50(A) / p50(B) in the same round, and the range over rounds.
ratio() {
  awk -v a="$1" -v b="$2" '
    { split($4, kv, "="); if ($1 == a) pa[++na] = kv[2]; if ($1 == b) pb[++nb] = kv[2] }
    END {
      for (i = 1; i <= na; i++) r[i] = pa[i] / pb[i]
      for (i = 1; i <= na; i++) for (j = i + 1; j <= na; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
      printf "%.2fx (%.2f-%.2f)", (na % 2 ? r[(na + 1) / 2] : (r[na / 2] + r[na / 2 + 1]) / 2), r[1], r[na]
    }' "$work/lines"
}

{
  echo "# D-Bus round trips: Tmds.DBus.Protocol, sd-bus and the retired Concierge.DBus"
  echo
  echo "Produced by \`COUNT=$count ROUNDS=$rounds bench/dbus/run.sh\` (calls per pair per round, rounds; median round by p50)"
  echo "on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r), $(dbus-daemon --version | head -n1),"
  echo "Tmds.DBus.Protocol 0.95.2, Concierge.DBus from commit ${retired:0:7}; everything at nice 10."
  echo "Load average (1/5/15 min) before the rounds: $load_before, after: $load_after. Other jobs share the CPUs,"
  echo "so compare pairs within this run, not across runs."
  echo
  echo "All clients talk to the same private dbus-daemon, one call outstanding at a time; each server is a"
  echo "separate process. Echo (\`org.concierge.Bench.Echo\`, s -> s, a ${#echo_argument}-byte string, the reply is"
  echo "read and checked) is served through Tmds.DBus.Protocol's \`IPathMethodHandler\`. Ping is"
  echo "\`org.freedesktop.DBus.Peer.Ping\`, which both libraries answer without a handler. GetId is answered"
  echo "by the daemon."
  echo
  echo "calls/s, p50 and p99 are each pair's median round (by p50). The ratios are medians of per-round"
  echo "ratios (both pairs of a ratio ran in the same round, seconds apart), with their range over the rounds."
  echo
  echo "| call | server | client | calls/s | p50 µs | p99 µs | p50 / sd-bus p50 (range) |"
  echo "|---|---|---|---:|---:|---:|---:|"
  echo "$summary" | while read -r key rate p50 p99; do
    pair=${key%%:*}
    echo "| ${pair%%@*} | ${pair#*@} | ${key#*:} | $rate | $p50 | $p99 | $(ratio "$key" "$pair:sd-bus") |"
  done
  echo
  echo "What the swap costs (p50 ratios, median over rounds, range):"
  echo
  echo "- Goal, a method of our own served by Tmds: Tmds client / sd-bus client, Echo: $(ratio Echo@Tmds:Tmds Echo@Tmds:sd-bus)"
  echo "- Client swap, Tmds client / Concierge.DBus client: Ping to the Tmds server $(ratio Ping@Tmds:Tmds Ping@Tmds:Concierge.DBus),"
  echo "  Ping to the Concierge.DBus server $(ratio Ping@Concierge.DBus:Tmds Ping@Concierge.DBus:Concierge.DBus), GetId $(ratio GetId@daemon:Tmds GetId@daemon:Concierge.DBus)"
  echo "- Server swap seen from sd-bus, Ping to the Tmds server / to the Concierge.DBus server: $(ratio Ping@Tmds:sd-bus Ping@Concierge.DBus:sd-bus)"
  echo "- Both swapped, Ping Tmds -> Tmds / Concierge.DBus -> Concierge.DBus: $(ratio Ping@Tmds:Tmds Ping@Concierge.DBus:Concierge.DBus)"
  echo
  echo "Raw rounds (CALL@SERVER:CLIENT):"
  echo
  echo '```'
  cat "$work/lines"
  echo '```'
} > "$here/results.md"
cat "$here/results.md"
