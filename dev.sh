#!/usr/bin/env bash
# The one entry point for working on Concierge.
#
#   ./dev.sh demo      build, then run demo/run.sh: the service and vmc driving a real VM (in the KVM sandbox if needed)
#   ./dev.sh test      install what is missing, build, run every test category; prints
#                      "N passed, N failed, N skipped" over all runs and fails if anything did
#   ./dev.sh kvm [FILTER]  build, then only the Kvm tests (narrowed by a test filter, if given)
#   ./dev.sh build     install what is missing and build the solution
#   ./dev.sh install [--root DIR]           publish the service and vmc and install them (see README)
#   ./dev.sh uninstall [--root DIR] [--purge]  remove what install put in place; --purge also
#                      deletes /var/lib/concierge (VM definitions and disk images)
#
# Tests run in two groups: Unit, Bus and Guest on this machine, Kvm through sandbox/run
# (directly where /dev/kvm works, otherwise inside an emulated L1 guest with nested KVM).
set -euo pipefail

repo=$(cd "$(dirname "$0")" && pwd)
cd "$repo"
configuration=Release
tests_exe=$repo/Concierge.Tests/bin/$configuration/net10.0/Concierge.Tests

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { echo "dev.sh: $*" >&2; exit 1; }

# Debian packages the build and the tests use, as "command package" pairs.
required_tools=(
  "qemu-system-x86_64 qemu-system-x86"
  "busybox busybox-static"
  "cpio cpio"
  "dbus-daemon dbus-daemon"
  "dbus-send dbus-bin"
  "dbus-test-tool dbus-tests"
  "gdbus libglib2.0-bin"
  "busctl systemd"
  "mkfs.ext4 e2fsprogs"
  "gcc gcc"
  "ipcmk util-linux"
  "dpkg-deb dpkg"
)

install_missing_packages() {
  local missing=() pair
  for pair in "${required_tools[@]}"; do
    set -- $pair
    command -v "$1" >/dev/null 2>&1 || missing+=("$2")
  done
  [ -f /usr/include/linux/kvm.h ] || missing+=(linux-libc-dev)
  [ -f /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)   # sandbox/kvm-hold is static
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them: apt-get install ${missing[*]}"
  say "installing ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  install_missing_packages
  command -v dotnet >/dev/null || die "the .NET 10 SDK is not on PATH (https://dot.net)"
  say "fetching Debian's kernel"
  guest/fetch-kernel.sh >/dev/null
  say "building ($configuration)"
  dotnet build Concierge.sln -c "$configuration" -nologo -clp:NoSummary -v:q
  say "building the guest image (kernel, initramfs with concierge-init, test rootfs)"
  guest/build.sh >/dev/null
}

# Runs the test executable with a filter, appends its counts to $counts and the names of its
# failed tests to $failed_tests, returns its status.
counts=$(mktemp)
failed_tests=$(mktemp)
trap 'rm -f "$counts" "$failed_tests"' EXIT
run_tests() {
  local label=$1 log status
  shift
  log=$(mktemp)
  say "$label tests"
  set +e
  "$@" --no-ansi --progress off 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  # The runner ends with "total: N / failed: N / succeeded: N / skipped: N". Behind the sandbox's
  # serial console it colours them even with --no-ansi, so colour codes go first.
  awk -v label="$label" -v failed_tests="$failed_tests" '
    { gsub(/\033\[[0-9;]*m/, "") }
    /^failed [^ ]/          { print "  " label ": " $2 >> failed_tests }
    /^ *failed: *[0-9]+/    { failed = $2 }
    /^ *succeeded: *[0-9]+/ { passed = $2 }
    /^ *skipped: *[0-9]+/   { skipped = $2; seen = 1 }
    END { if (seen) print label, passed + 0, failed + 0, skipped + 0; else print label, 0, 0, 0, "none" }
  ' "$log" >> "$counts"
  rm -f "$log"
  return "$status"
}

# The Kvm category through sandbox/run, narrowed by an optional extra filter. Detailed: each
# test's result and the guest console show as they happen, and each test's name when it starts
# (CONCIERGE_TEST_PROGRESS), so a log that stops says where. The emulated L1 machine has been
# seen to freeze for good now and then; sandbox/run notices within SANDBOX_SILENCE (90 s) and
# exits 123. Then only the tests that had not ended run again, at most twice: those that ended
# keep their results, and the summary counts each test once.
run_kvm_tests() {
  local extra_filter=${1:-} attempt status progress filter ended
  export SANDBOX_TIMEOUT=${SANDBOX_TIMEOUT:-2700}
  progress=$repo/.cache/kvm-progress
  mkdir -p "$progress"
  rm -f "$progress"/attempt-*
  ended=$progress/ended-before-a-freeze
  : > "$ended"
  for attempt in 1 2 3; do
    # VSTest filter syntax: these characters need a backslash inside a value.
    filter="TestCategory=Kvm${extra_filter:+&($extra_filter)}$(sed 's/[\\()&|=!~]/\\&/g; s/^/\&FullyQualifiedName!=/' "$ended" | tr -d '\n')"
    export CONCIERGE_TEST_PROGRESS=$progress/attempt-$attempt
    status=0
    run_tests kvm sandbox/run "$tests_exe" --filter "$filter" --timeout 40m --output detailed || status=$?
    [ "$status" -eq 123 ] || return "$status"
    # A frozen attempt has no summary: its counts are those of the tests that ended.
    sed -i '$d' "$counts"
    awk -F '\t' '$1 == "end" { n[$2]++ }
      END { print "kvm-before-freeze", n["passed"] + 0, n["failed"] + 0, n["skipped"] + 0 }' \
      "$CONCIERGE_TEST_PROGRESS" >> "$counts"
    awk -F '\t' '$1 == "end" { print $3 }' "$CONCIERGE_TEST_PROGRESS" >> "$ended"
    if [ "$attempt" -eq 3 ]; then
      echo "dev.sh: the sandbox's L1 machine froze a third time; the Kvm tests that had not ended did not run" >&2
      echo "kvm-not-run 0 0 0 none" >> "$counts"
      return "$status"
    fi
    echo "dev.sh: the sandbox's L1 machine froze (attempt $attempt of 3); $(wc -l < "$ended") Kvm tests ended before and keep their results; running the others again" >&2
  done
}

test_all() {
  build
  local failures=0
  run_tests host "$tests_exe" --filter "TestCategory!=Kvm" --timeout 45m || failures=$((failures + 1))
  run_kvm_tests || failures=$((failures + 1))
  summarize "$failures"
}

# Prints one line over every run in $counts; fails if a run failed ($1 of them did) or did not
# report.
summarize() {
  local failures=$1 passed=0 failed=0 skipped=0 label p f s none
  while read -r label p f s none; do
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    if [ -n "${none:-}" ]; then
      echo "dev.sh: the $label tests did not run (no summary from the runner)" >&2
      failures=$((failures + 1))
    fi
  done < "$counts"
  # Repeated here so the end of a long log says which tests failed.
  if [ -s "$failed_tests" ]; then
    echo "dev.sh: failed tests:" >&2
    cat "$failed_tests" >&2
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failures" -eq 0 ] && [ "$failed" -eq 0 ]
}

# Only the Kvm category (optionally narrowed, e.g. "FullyQualifiedName~FirstKvmTests"), with the
# same freeze handling and summary as in test_all; for working on the sandbox and Kvm tests.
test_kvm() {
  build
  local failures=0
  run_kvm_tests "${1:-}" || failures=$((failures + 1))
  summarize "$failures"
}

demo() {
  build
  say "the product demo: the service on a private bus, vmc starting, using and stopping a VM"
  sandbox/run demo/run.sh
}

# ---------------------------------------------------------------- install / uninstall
# Where install puts things (relative to the root, "/" on a real machine).
lib_dir=/usr/lib/concierge
guest_dir=/usr/share/concierge/guest
installed_files=(
  /usr/share/dbus-1/system.d/org.chromium.VmConcierge.conf
  /usr/lib/systemd/system/concierge.service
  /usr/lib/sysusers.d/concierge.conf
  /usr/lib/tmpfiles.d/concierge.conf
  /usr/share/doc/concierge/README.md
)
did() { printf '  %s\n' "$*"; }

# Parses --root DIR and --purge into $root and $purge.
root=
purge=
parse_install_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) [ $# -ge 2 ] || die "--root needs a directory"; root=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
      --purge) purge=1; shift ;;
      *) die "unknown option '$1' (install [--root DIR], uninstall [--root DIR] [--purge])" ;;
    esac
  done
  if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
    die "installing into / needs root (or use --root DIR for a scratch root)"
  fi
}

# True when systemd is PID 1 on this machine and we act on the real root.
systemd_runs_here() { [ -z "$root" ] && [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; }

# The guest artifacts (kernel, initramfs, test rootfs), built (or found cached) by guest/build.sh.
guest_artifacts() { guest/build.sh | tail -n 1; }

install_all() {
  parse_install_options "$@"
  command -v dotnet >/dev/null || die "the .NET 10 SDK is not on PATH (https://dot.net)"
  local stage
  stage=$(mktemp -d)
  say "publishing the service and vmc ($configuration)"
  dotnet publish Concierge.Service -c "$configuration" -o "$stage" -nologo -v:q -clp:NoSummary >/dev/null
  dotnet publish Concierge.Vmc -c "$configuration" -o "$stage" -nologo -v:q -clp:NoSummary >/dev/null
  say "installing into ${root:-/}"
  install -d -m 0755 "$root$lib_dir" "$root/usr/bin"
  cp -a "$stage/." "$root$lib_dir/"
  rm -rf "$stage"
  did "$lib_dir/ (concierge, vmc and their libraries)"
  ln -sfn "$lib_dir/vmc" "$root/usr/bin/vmc"
  did "/usr/bin/vmc -> $lib_dir/vmc"
  install -D -m 0644 dbus-policy/org.chromium.VmConcierge.conf "$root${installed_files[0]}"
  install -D -m 0644 systemd/concierge.service "$root${installed_files[1]}"
  install -D -m 0644 systemd/concierge.sysusers "$root${installed_files[2]}"
  install -D -m 0644 systemd/concierge.tmpfiles "$root${installed_files[3]}"
  # The unit's Documentation= points here.
  install -D -m 0644 README.md "$root${installed_files[4]}"
  local file
  for file in "${installed_files[@]}"; do did "$file"; done

  local guest
  guest=$(guest_artifacts)
  install -d -m 0755 "$root$guest_dir"
  if [ -n "$guest" ] && [ -f "$guest/vmlinuz" ]; then
    # The service's default --image-dir is this directory, under these same names.
    for file in vmlinuz initramfs.cpio.gz rootfs.ext4; do
      if [ -f "$guest/$file" ]; then
        install -m 0644 "$guest/$file" "$root$guest_dir/$file"
        did "$guest_dir/$file"
      fi
    done
  else
    echo "dev.sh: no guest image built yet (guest/build.sh); $guest_dir left empty" >&2
  fi

  say "creating the user, group and directories"
  # A scratch root gets its own /etc, so sysusers writes its passwd and group there.
  [ -z "$root" ] || install -d -m 0755 "$root/etc"
  systemd-sysusers ${root:+--root="$root"} concierge.conf
  did "systemd-sysusers concierge.conf (user and group concierge)"
  systemd-tmpfiles --create ${root:+--root="$root"} concierge.conf
  did "systemd-tmpfiles --create concierge.conf (/var/lib/concierge)"
  if systemd_runs_here; then
    systemctl daemon-reload && did "systemctl daemon-reload"
    systemctl reload dbus.service 2>/dev/null || systemctl reload dbus-broker.service 2>/dev/null || true
    did "reloaded the bus configuration"
    echo "Next: 'systemctl enable --now concierge', and 'usermod -aG concierge USER' for each user of vmc."
  else
    echo "systemd is not PID 1 here (or --root was given): no daemon-reload, no bus reload."
  fi
}

uninstall_all() {
  parse_install_options "$@"
  say "uninstalling from ${root:-/}"
  if systemd_runs_here; then
    systemctl disable --now concierge.service 2>/dev/null && did "systemctl disable --now concierge" || true
  fi
  if [ -L "$root/usr/bin/vmc" ] && [ "$(readlink "$root/usr/bin/vmc")" = "$lib_dir/vmc" ]; then
    rm -f "$root/usr/bin/vmc" && did "removed /usr/bin/vmc"
  fi
  local path
  for path in "$lib_dir" "${installed_files[@]}" /usr/share/concierge /usr/share/doc/concierge; do
    if [ -e "$root$path" ]; then
      rm -rf "${root:?}$path" 2>/dev/null || rm -rf "$root$path"
      did "removed $path"
    fi
  done
  if [ -n "$purge" ]; then
    rm -rf "$root/var/lib/concierge" "$root/var/log/concierge" && did "removed /var/lib/concierge and /var/log/concierge (--purge)"
  else
    echo "kept /var/lib/concierge (VM definitions and disk images); --purge removes it. The user concierge stays (sysusers never deletes users)."
  fi
  if systemd_runs_here; then
    systemctl daemon-reload && did "systemctl daemon-reload"
    systemctl reload dbus.service 2>/dev/null || systemctl reload dbus-broker.service 2>/dev/null || true
    did "reloaded the bus configuration"
  fi
}

case "${1:-}" in
  test) test_all ;;
  kvm) shift; test_kvm "$@" ;;
  demo) demo ;;
  build) build ;;
  install) shift; install_all "$@" ;;
  uninstall) shift; uninstall_all "$@" ;;
  *) awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
