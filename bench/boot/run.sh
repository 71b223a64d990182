#!/usr/bin/env bash
# Boot-to-init benchmark: Concierge's in-process monitor vs QEMU (-M pc, -M microvm) on the same
# stock Debian kernel, busybox initramfs, memory and vCPUs, plus the monitor's memory overhead per VM.
# Writes bench/boot/results.md. Needs /dev/kvm, so run it through the sandbox:
#
#   dotnet build bench/boot/BootBench && SANDBOX_MODE=l1 sandbox/run bench/boot/run.sh
#
# Environment (the CONCIERGE_ prefix lets sandbox/run pass them in): CONCIERGE_BENCH_RUNS (default 3),
# CONCIERGE_BENCH_VCPUS (1), CONCIERGE_BENCH_MEMORY_MIB (256), CONCIERGE_BENCH_MICROVM=1 to add QEMU -M microvm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${CONCIERGE_CACHE:-$repo/.cache}
kernel=$cache/kernel/current/vmlinuz
bench=$here/BootBench/bin/Debug/net10.0/BootBench
runs=${CONCIERGE_BENCH_RUNS:-3}
vcpus=${CONCIERGE_BENCH_VCPUS:-1}
memory=${CONCIERGE_BENCH_MEMORY_MIB:-256}
# The monitor's default command line (VmSpec.DefaultCommandLine), used for every VMM alike.
cmdline="console=ttyS0 quiet reboot=k panic=-1 8250.nr_uarts=1 pci=noearly,noacpi"

[ -r /dev/kvm ] || { echo "run.sh: no /dev/kvm; run it via sandbox/run" >&2; exit 2; }
[ -x "$bench" ] || { echo "run.sh: build first: dotnet build bench/boot/BootBench" >&2; exit 2; }
[ -f "$kernel" ] || { echo "run.sh: no kernel at $kernel; run guest/fetch-kernel.sh" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Two initramfs images: /init prints the marker and powers off, or prints it and idles (memory).
make_initramfs() { # $1 = output, $2 = last line of /init
  local root=$work/root-$(basename "$1")
  mkdir -p "$root"/bin "$root"/dev "$root"/proc
  cp /bin/busybox "$root"/bin/busybox
  printf '#!/bin/busybox sh\necho BENCH-INIT-REACHED\n%s\n' "$2" > "$root"/init
  chmod 755 "$root"/init
  (cd "$root" && find . | cpio -o -H newc --quiet) > "$1"
}
make_initramfs "$work/poweroff.cpio" "/bin/busybox poweroff -f"
make_initramfs "$work/idle.cpio" "/bin/busybox sleep 600"

{
  echo "# Boot benchmark"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -r) ($(nproc) CPUs, $( [ -n "${SANDBOX_L1:-}" ] && echo 'inside the QEMU TCG L1 sandbox with nested SVM' || echo 'directly on /dev/kvm'))."
  echo "Kernel: $(basename "$(readlink -f "$kernel")") ($(stat -c %s "$kernel") bytes); initramfs: static busybox, /init echoes a marker."
  echo "Times are wall clock from the start (VmBuilder.Build / QEMU process start) to the marker line on the serial console."
  echo
  echo 'Command: `dotnet build bench/boot/BootBench && SANDBOX_MODE=l1 sandbox/run bench/boot/run.sh`'
  echo
  "$bench" --kernel "$kernel" --initrd "$work/poweroff.cpio" --idle-initrd "$work/idle.cpio" \
    --vcpus "$vcpus" --memory "$memory" --runs "$runs" --cmdline "$cmdline" --microvm "${CONCIERGE_BENCH_MICROVM:-0}"
} > "$work/results.md"
cp "$work/results.md" "$here/results.md"
cat "$here/results.md"
