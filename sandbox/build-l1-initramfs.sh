#!/usr/bin/env bash
# Builds the sandbox's L1 initramfs (busybox, KVM and 9p modules from Debian's kernel,
# sandbox/l1-init as /init, sandbox/kvm-hold built static) and caches it until an input
# changes. Prints its path.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${CONCIERGE_CACHE:-$repo/.cache}
kernel_dir=$("$repo/guest/fetch-kernel.sh")
busybox=/bin/busybox

# Load order matters: each module follows what its modinfo `depends=` names.
modules="irqbypass ccp kvm kvm-amd virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"

[ -x "$busybox" ] && "$busybox" --list >/dev/null 2>&1 \
  || { echo "build-l1-initramfs: needs busybox-static (apt-get install busybox-static)" >&2; exit 1; }
command -v cpio >/dev/null || { echo "build-l1-initramfs: needs cpio (apt-get install cpio)" >&2; exit 1; }
[ -f /usr/lib/x86_64-linux-gnu/libc.a ] && command -v gcc >/dev/null \
  || { echo "build-l1-initramfs: needs gcc and a static C library (apt-get install gcc libc6-dev)" >&2; exit 1; }

key=$( { echo "$modules"; basename "$kernel_dir"; sha256sum "$repo/sandbox/l1-init" "$repo/sandbox/kvm-hold.c" "$busybox"; } | sha256sum | cut -c1-16)
image=$cache/sandbox/l1-initramfs-$key.cpio.gz
if [ ! -f "$image" ]; then
  staging=$(mktemp -d)
  trap 'rm -rf "$staging"' EXIT
  mkdir -p "$staging"/{bin,dev,proc,sys,modules}
  cp "$busybox" "$staging/bin/busybox"
  cp "$repo/sandbox/l1-init" "$staging/init"
  gcc -static -O2 -Wall -Wextra -Werror -o "$staging/bin/kvm-hold" "$repo/sandbox/kvm-hold.c"
  chmod 755 "$staging/init"
  for module in $modules; do
    file=$(find "$kernel_dir/modules/kernel" -name "$module.ko" -o -name "${module//-/_}.ko" | head -n 1)
    [ -n "$file" ] || { echo "build-l1-initramfs: module $module not in $kernel_dir" >&2; exit 1; }
    cp "$file" "$staging/modules/$module.ko"
    echo "$module" >> "$staging/modules.order"
  done
  mkdir -p "$(dirname "$image")"
  (cd "$staging" && find . | cpio -o -H newc --quiet | gzip -1) > "$image.tmp"
  mv "$image.tmp" "$image"
fi
echo "$image"
