#!/usr/bin/env bash
# Fuzzes one target with AFL++ through SharpFuzz:  fuzz/run.sh TARGET SECONDS
#
# Builds the driver, instruments a copy of the production assemblies (and Google.Protobuf, the
# parser of every protobuf the guest or a caller sends) with SharpFuzz, and runs afl-fuzz on the
# target's committed corpus under nice 19. Findings go to fuzz/work/findings/TARGET (ignored);
# the last line is the run's figures for fuzz/results.md.
#
# Needs afl++ (Debian: apt-get install afl++) and the SharpFuzz tool
# (dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0). CI needs neither: the
# corpus replay test runs the same targets without AFL.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 TARGET SECONDS" >&2
    exit 2
fi
target=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$here/work
corpus=$here/corpus/$target
export PATH=$PATH:$HOME/.dotnet/tools

[[ -d $corpus ]] || { echo "no corpus for '$target' in $here/corpus" >&2; exit 2; }
command -v afl-fuzz >/dev/null || { echo "afl-fuzz is missing: apt-get install afl++" >&2; exit 2; }
command -v sharpfuzz >/dev/null || { echo "sharpfuzz is missing: dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0" >&2; exit 2; }

# A fresh copy each run: SharpFuzz instruments in place, and the normal build must stay clean.
mkdir -p "$work"
nice -n 10 dotnet build "$here/Concierge.Fuzz" -c Release -nologo -clp:NoSummary -v:q -o "$work/build" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; exit 1; }
bin=$work/bin/$target
rm -rf "$bin"
mkdir -p "$bin"
cp -a "$work/build/." "$bin/"
for assembly in Concierge.Vmm.dll Concierge.GuestLink.dll concierge.dll Google.Protobuf.dll; do
    sharpfuzz "$bin/$assembly" >/dev/null
done

findings=$work/findings/$target
if [[ -d $findings ]]; then
    mv "$findings" "$findings.$(date +%Y%m%dT%H%M%S)"
fi
mkdir -p "$findings"

# dotnet itself is not instrumented (SharpFuzz talks to AFL from managed code); no core dumps
# are collected here, and a run shares the machine, so it takes no CPU affinity.
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    nice -n 19 afl-fuzz -i "$corpus" -o "$findings" -t 10000 -m none -V "$seconds" \
    -- dotnet "$bin/Concierge.Fuzz.dll" "$target" >"$findings/afl.log" 2>&1 || {
        echo "afl-fuzz failed; see $findings/afl.log" >&2
        tail -20 "$findings/afl.log" >&2
        exit 1
    }

stats=$findings/default/fuzzer_stats
field() { awk -F' *: *' -v key="$1" '$1 == key { print $2 }' "$stats"; }
echo "$target: $(field execs_done) execs in $(field run_time) s, edges $(field edges_found)/$(field total_edges), corpus $(field corpus_count), crashes $(field saved_crashes), hangs $(field saved_hangs)"
