#!/usr/bin/env bash
# Builds the guest artifacts into the git-ignored cache and prints their directory:
#
#   $CONCIERGE_CACHE/guest/current/
#     vmlinuz            Debian's stock kernel (guest/fetch-kernel.sh)
#     initramfs.cpio.gz  /init = concierge-init (NativeAOT), the glibc files it links, busybox,
#                        the kernel modules it loads (list in /lib/modules/concierge.load),
#                        /etc/concierge/*.json (guest/*.json)
#     rootfs.ext4        a small test root file system: busybox-static (mkfs.ext4 -d, no loop mount)
#     concierge-init     the published init, for reference
#
# Everything is rebuilt only when an input changes: the output directory is named by a
# hash of the inputs (the init's sources, this script, the configs, the kernel version,
# the busybox package version). Boot it with the kernel command line
#   console=ttyS0 concierge.heartbeat_ms=1000 [concierge.rootfs=/dev/vda concierge.config=/etc/concierge/app.json]
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${CONCIERGE_CACHE:-$repo/.cache}
die() { echo "guest/build.sh: $*" >&2; exit 1; }
say() { echo "guest/build.sh: $*" >&2; }

# Kernel modules the init loads (their dependencies are added): virtio transports (PCI and
# MMIO, whichever the monitor offers), block, entropy, vsock over virtio, ext4.
# crc32c_generic comes before ext4: ext4 and jbd2 ask the crypto API for crc32c at mount time and
# the guest has no modprobe to load it then (their softdep names an alias, crypto-crc32c).
modules=(virtio_pci virtio_mmio virtio_blk virtio_rng vmw_vsock_virtio_transport crc32c_generic ext4)

# --- tools -------------------------------------------------------------------------------
# NativeAOT links with clang (any clang-N works; Debian 12 ships clang-14) and needs zlib.
need_packages=()
clang=$(command -v clang || ls /usr/bin/clang-[0-9]* 2>/dev/null | grep -E '/clang-[0-9]+$' | sort -V | tail -1 || true)
[ -n "$clang" ] || need_packages+=(clang)
[ -e /usr/include/zlib.h ] || need_packages+=(zlib1g-dev)
# The test disk needs the static busybox (the dynamic one would need its libraries in the image).
dpkg-query -W -f '${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need_packages+=(busybox-static)
command -v mkfs.ext4 >/dev/null || need_packages+=(e2fsprogs)
command -v cpio >/dev/null || need_packages+=(cpio)
if [ ${#need_packages[@]} -gt 0 ]; then
  say "installing ${need_packages[*]}"
  apt-get install -y -q "${need_packages[@]}" >&2 || { apt-get update -q >&2 && apt-get install -y -q "${need_packages[@]}" >&2; } \
    || die "cannot install ${need_packages[*]}"
  clang=$(command -v clang || ls /usr/bin/clang-[0-9]* | grep -E '/clang-[0-9]+$' | sort -V | tail -1)
fi

kernel=$("$repo/guest/fetch-kernel.sh")
kernel_version=$(basename "$(readlink -f "$kernel")")

# --- cache key ---------------------------------------------------------------------------
inputs_hash=$(
  cd "$repo"
  {
    find Concierge.Guest Concierge.GuestLink protos guest -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.proto' -o -name '*.sh' -o -name '*.json' \) \
      -not -path '*/bin/*' -not -path '*/obj/*' -print0 | sort -z | xargs -0 sha256sum
    sha256sum Directory.Build.props Directory.Packages.props global.json
    echo "kernel $kernel_version"
    echo "busybox $(dpkg-query -W -f '${Version}' busybox-static)"
    echo "modules ${modules[*]}"
  } | sha256sum | cut -c1-16
)
out=$cache/guest/$inputs_hash
if [ -f "$out/.complete" ]; then
  ln -sfn "$inputs_hash" "$cache/guest/current"
  echo "$out"
  exit 0
fi
say "building into $out"
rm -rf "$out" && mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- the init, NativeAOT -----------------------------------------------------------------
say "publishing Concierge.Guest (NativeAOT, linker $clang)"
dotnet publish "$repo/Concierge.Guest/Concierge.Guest.csproj" -r linux-x64 -c Release \
  -p:CppCompilerAndLinker="$clang" -o "$work/publish" -nologo -v:q >&2 \
  || die "NativeAOT publish failed"
init_binary=$work/publish/concierge-init
[ -x "$init_binary" ] || die "publish produced no $init_binary"
cp "$init_binary" "$out/concierge-init"

# install_busybox DIR: the static busybox as DIR/bin/busybox, with a link for every applet.
install_busybox() {
  mkdir -p "$1/bin"
  cp /bin/busybox "$1/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$1/bin/$applet"
  done
}

# --- initramfs ---------------------------------------------------------------------------
root=$work/initramfs
mkdir -p "$root"/{proc,sys,dev,run,tmp,mnt/rootfs,etc/concierge,lib/modules}
cp "$init_binary" "$root/init"
# The dynamic libraries it links, at the paths the loader looks for them.
ldd "$init_binary" | awk '/=> \// {print $3} /^[ \t]*\// {print $1}' | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
cp "$repo"/guest/*.json "$root/etc/concierge/"
# A shell and the usual tools, so the host's Exec has something to run in a VM without a disk.
install_busybox "$root"

# Modules: an index of name -> path (names use _ where files may use -), then a depth-first
# walk of each module's depends= (and softdep pre:) from its .modinfo strings, so every
# module comes after what it needs. No modules.dep ships in the cache, and no kmod is needed.
modules_dir=$kernel/modules
declare -A module_path=()
while read -r path; do
  name=$(basename "$path" .ko); module_path[${name//-/_}]=$path
done < <(find "$modules_dir/kernel" -name '*.ko')
modinfo_field() { tr '\0' '\n' < "$1" | grep -a "^$2=" | head -1 | cut -d= -f2-; }
declare -A visited=()
load_order=()
# visit NAME [optional]: a soft dependency may name an alias (e.g. crypto-crc32c) rather than a
# module file; those are skipped (the modules list above names what they resolve to).
visit() {
  local name=${1//-/_} optional=${2:-}
  [ -n "${visited[$name]:-}" ] && return
  visited[$name]=1
  local path=${module_path[$name]:-}
  if [ -z "$path" ]; then
    grep -q "/${name}.ko\$\|/${name//_/-}.ko\$" "$modules_dir/modules.builtin" 2>/dev/null && return
    [ -n "$optional" ] && { say "soft dependency $name is no module file; skipped"; return; }
    die "module $name is neither a file in $modules_dir nor built in"
  fi
  local dep
  for dep in $(modinfo_field "$path" depends | tr ',' ' '); do
    visit "$dep"
  done
  for dep in $(modinfo_field "$path" softdep | sed -n 's/.*pre: *\([^:]*\)\( post:.*\)\{0,1\}$/\1/p'); do
    visit "$dep" optional
  done
  load_order+=("$path")
}
for module in "${modules[@]}"; do visit "$module"; done
: > "$root/lib/modules/concierge.load"
for path in "${load_order[@]}"; do
  relative=lib/modules/$kernel_version/${path#"$modules_dir"/}
  mkdir -p "$root/$(dirname "$relative")"
  cp "$path" "$root/$relative"
  echo "/$relative" >> "$root/lib/modules/concierge.load"
done
say "modules in load order: $(xargs -n1 basename < "$root/lib/modules/concierge.load" | tr '\n' ' ')"

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null --create --format=newc --reproducible --quiet) \
  | gzip -9n > "$out/initramfs.cpio.gz"

# --- test root file system ---------------------------------------------------------------
rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,sbin,etc,proc,sys,dev,tmp,run,mnt,root,home}
chmod 1777 "$rootfs/tmp"
install_busybox "$rootfs"
echo "concierge-test" > "$rootfs/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' > "$rootfs/etc/group"
mkfs.ext4 -q -F -L concierge-test -E root_owner=0:0 -d "$rootfs" "$out/rootfs.ext4" 32M >&2 \
  || die "mkfs.ext4 -d failed"

ln -sfn "$(readlink -f "$kernel")/vmlinuz" "$out/vmlinuz"
touch "$out/.complete"
ln -sfn "$inputs_hash" "$cache/guest/current"
echo "$out"
