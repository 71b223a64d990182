#!/usr/bin/env bash
# Fetches Debian's stock kernel package (the same bzImage serves as the sandbox's L1
# kernel and as every VM's guest kernel) and unpacks it into the git-ignored cache.
# Prints the unpacked directory; run again it does nothing if the cache is complete.
#
#   guest/fetch-kernel.sh            -> .cache/kernel/<version>/{vmlinuz,modules/}
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${CONCIERGE_CACHE:-$repo/.cache}/kernel

die() { echo "fetch-kernel: $*" >&2; exit 1; }
command -v apt-get >/dev/null || die "needs apt-get (a Debian machine) to download linux-image-amd64"
command -v dpkg-deb >/dev/null || die "needs dpkg-deb"

# The metapackage names the current kernel package, e.g. linux-image-6.1.0-56-amd64.
package=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$package" ]; then
  apt-get update -q >/dev/null || die "apt-get update failed"
  package=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
fi
[ -n "$package" ] || die "cannot resolve linux-image-amd64 to a kernel package"
version=${package#linux-image-}
target=$cache/$version

if [ ! -f "$target/.complete" ]; then
  echo "fetch-kernel: downloading $package" >&2
  rm -rf "$target" && mkdir -p "$target/unpack"
  (cd "$target" && apt-get download -q "$package" >&2) || die "apt-get download $package failed"
  dpkg-deb -x "$target"/*.deb "$target/unpack"
  mv "$target/unpack/boot/vmlinuz-$version" "$target/vmlinuz"
  mv "$target/unpack/lib/modules/$version" "$target/modules"
  rm -rf "$target/unpack" "$target"/*.deb
  touch "$target/.complete"
fi
ln -sfn "$version" "$cache/current"
echo "$target"
