#!/usr/bin/env bash
# Fetches the guest kernel of the microVM tier: Debian's cloud kernel, downloaded as a package and
# unpacked into a cache directory WITHOUT being installed on the host (the host keeps its own
# kernel and boot loader untouched). Idempotent: when the current kernel is already unpacked it
# makes no network request beyond resolving the meta-package's dependency from the local lists.
#
#   scripts/microvm-kernel.sh [CACHE_DIR]     default /var/lib/airlock/kernels
#
# Result, in CACHE_DIR/<release>/: vmlinuz, config, initramfs.cpio; CACHE_DIR/current -> <release>.
# Debian's cloud kernel builds virtio, virtio-mmio, virtio-blk, virtio-console, virtio-net and overlayfs
# as modules, so the guest boots through a tiny initramfs: busybox (from Debian's busybox-static, also
# downloaded, not installed) + those modules + /init, which loads them, mounts the read-only
# base disk and the sandbox's quota disk as an overlay root, and switches to the guest agent.
# The microVM backend appends the agent binary and the sandbox's settings as a second cpio archive.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cache="${1:-${AIRLOCK_KERNELS:-/var/lib/airlock/kernels}}"
meta="linux-image-cloud-amd64"

module_option() {
  case "$1" in
    virtio_ring|virtio) echo CONFIG_VIRTIO ;;
    virtio_mmio) echo CONFIG_VIRTIO_MMIO ;;
    virtio_blk) echo CONFIG_VIRTIO_BLK ;;
    virtio_console) echo CONFIG_VIRTIO_CONSOLE ;;
    overlay) echo CONFIG_OVERLAY_FS ;;
    failover) echo CONFIG_FAILOVER ;;
    net_failover) echo CONFIG_NET_FAILOVER ;;
    virtio_net) echo CONFIG_VIRTIO_NET ;;
  esac
}
say() { printf 'microvm-kernel: %s\n' "$*" >&2; }
die() { printf 'microvm-kernel: error: %s\n' "$*" >&2; exit 1; }

command -v apt-get >/dev/null || die "apt-get not found: the guest kernel is fetched as a Debian package"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

# The meta-package depends on exactly one versioned image package, e.g. linux-image-6.1.0-56-cloud-amd64.
package="$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')"
if [[ -z "$package" ]]; then
  say "no $meta in the package lists; updating them"
  apt-get update -q >&2
  package="$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')"
fi
[[ -n "$package" ]] || die "cannot resolve $meta to a versioned kernel package"
release="${package#linux-image-}"

# The initramfs holds init.sh and the modules this script picks: it is current when it was built from this
# init.sh and this script (by content, not mtime, so a fresh clone reuses the cache instead of downloading again).
init_script="$root/src/Airlock.Backends.MicroVm/Guest/init.sh"
init_sum="$(cat "$init_script" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
if [[ -f "$cache/$release/vmlinuz" && -f "$cache/$release/initramfs.cpio" && "$(cat "$cache/$release/init.sha256" 2>/dev/null)" == "$init_sum" ]]; then
  ln -sfn "$release" "$cache/current"
  printf '%s\n' "$cache/$release/vmlinuz"
  exit 0
fi

mkdir -p "$cache"
work="$(mktemp -d "$cache/.fetch-XXXXXX")"
trap 'rm -rf "$work"' EXIT

say "downloading $package (not installing it)"
# apt-get download writes to the current directory and runs as the _apt user where it can.
chmod 755 "$work"
(cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$package" >&2)
deb="$(ls "$work"/*.deb)"
dpkg-deb -x "$deb" "$work/root"

vmlinuz="$(ls "$work"/root/boot/vmlinuz-* | head -n1)"
config="$(ls "$work"/root/boot/config-* | head -n1)"
[[ -f "$vmlinuz" && -f "$config" ]] || die "$package has no /boot/vmlinuz-* or /boot/config-*"

# Built in (=y) or shipped in the initramfs below (=m); anything else cannot boot.
for option in CONFIG_VIRTIO_MMIO CONFIG_VIRTIO_BLK CONFIG_VIRTIO_CONSOLE CONFIG_VIRTIO_NET CONFIG_OVERLAY_FS CONFIG_EXT4_FS CONFIG_DEVTMPFS CONFIG_TMPFS CONFIG_SERIAL_8250_CONSOLE CONFIG_BLK_DEV_INITRD; do
  grep -qE "^$option=(y|m)$" "$config" || die "$package: $option is not set; the microVM cannot boot with it"
done
for option in CONFIG_EXT4_FS CONFIG_DEVTMPFS CONFIG_TMPFS CONFIG_SERIAL_8250_CONSOLE CONFIG_BLK_DEV_INITRD; do
  grep -qx "$option=y" "$config" || die "$package: $option must be built in (it is needed before any module loads)"
done

say "downloading busybox-static (not installing it)"
(cd "$work" && apt-get download -q -o APT::Sandbox::User=root busybox-static >&2)
dpkg-deb -x "$(ls "$work"/busybox-static_*.deb)" "$work/busybox"

# The initramfs: /bin/busybox, /lib/modules/*.ko (load order matters: each after its dependencies), /init.
initramfs="$work/initramfs"
mkdir -p "$initramfs"/{bin,lib/modules,proc,sys,dev,base,disk,newroot,airlock}
cp "$work/busybox/bin/busybox" "$initramfs/bin/busybox"
modules_dir="$(ls -d "$work"/root/lib/modules/*)"
# ship MODULE... ORDER_FILE: copies each module that is not built in and lists it for /init to insmod in order.
ship() {
  local order="${*: -1}" module found
  : > "$initramfs/lib/modules/$order"
  for module in "${@:1:$#-1}"; do
    if grep -qx "$(module_option "$module")=y" "$config" 2>/dev/null; then continue; fi
    found="$(find "$modules_dir" -name "$module.ko" -print -quit)"
    [[ -n "$found" ]] || die "$package: module $module.ko not found"
    cp "$found" "$initramfs/lib/modules/"
    echo "$module" >> "$initramfs/lib/modules/$order"
  done
}
ship virtio_ring virtio virtio_mmio virtio_blk virtio_console overlay order
# Loaded only by a guest that has a NIC (a sandbox whose policy gives it egress): no cost to one without.
ship failover net_failover virtio_net net-order
cp "$root/src/Airlock.Backends.MicroVm/Guest/init.sh" "$initramfs/init"
chmod 755 "$initramfs/init" "$initramfs/bin/busybox"
(cd "$initramfs" && find . -mindepth 1 | LC_ALL=C sort | "$initramfs/bin/busybox" cpio -o -H newc 2>/dev/null) > "$work/initramfs.cpio"

mkdir -p "$work/$release"
cp "$vmlinuz" "$work/$release/vmlinuz"
cp "$config" "$work/$release/config"
mv "$work/initramfs.cpio" "$work/$release/initramfs.cpio"
printf '%s\n' "$init_sum" > "$work/$release/init.sha256"
chmod 644 "$work/$release/vmlinuz" "$work/$release/config" "$work/$release/initramfs.cpio" "$work/$release/init.sha256"
rm -rf "${cache:?}/$release"
mv "$work/$release" "$cache/$release"
ln -sfn "$release" "$cache/current"
say "kernel $release ready in $cache/$release"
printf '%s\n' "$cache/$release/vmlinuz"
