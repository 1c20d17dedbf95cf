#!/bin/busybox sh
# PID 1 of an Airlock microVM until it becomes the guest agent. Runs from the initramfs that
# scripts/microvm-kernel.sh builds; the backend appends /airlock/agent, /airlock/boot.env and
# /airlock/env (this sandbox's settings) as a second cpio archive.
#
# A template boot (boot.env sets AIRLOCK_SETTINGS=port, the initrd holds nothing of any sandbox) stops once the
# devices are up and reads boot.env and env from the agent's port instead: the host snapshots the guest while it
# waits there, and every sandbox restored from that snapshot sends its own settings (with the host's clock)
# through the port and continues from this point.
#
#   /dev/vda  the image's base root filesystem, read-only, shared by every sandbox of the image
#   /dev/vdb  this sandbox's blank ext4 disk of exactly its disk quota
#   root      overlayfs: vda (lower) + vdb/upper -- writes land on the quota disk, ENOSPC at the quota
#   eth0      only when boot.env sets AIRLOCK_NET_ADDRESS: a virtio NIC whose frames reach the host's end
#             of the sandbox's veth unchanged (the egress gateway, the only way out)
#
# On any failure it says why on the console and powers off: QEMU exits, and the host sees a dead VM
# at once instead of waiting for the agent-ready timeout.
export PATH=/bin
/bin/busybox --install -s /bin

fail() {
  echo "airlock-init: $*" >/dev/console
  poweroff -f
}

# With a verbose console (boot.env sets AIRLOCK_TRACE): each step with the guest's uptime.
mark() {
  [ -n "${AIRLOCK_TRACE:-}" ] && { read -r up _ < /proc/uptime || read -r up _ < /newroot/proc/uptime; } && echo "airlock-init: $up $*" >/dev/console
}

mount -t proc proc /proc || fail "mount /proc"
mount -t sysfs sysfs /sys || fail "mount /sys"
mount -t devtmpfs devtmpfs /dev || fail "mount /dev"

# load_modules ORDER_FILE [SKIP]: insmod each module it lists but SKIP, in order (scripts/microvm-kernel.sh wrote it).
load_modules() {
  while read -r module; do
    [ "$module" = "${2:-}" ] && continue
    insmod "/lib/modules/$module.ko" || fail "insmod $module"
  done < "$1"
}

# A template boot defers the block driver until its settings came: the disks are then probed in the restored
# guest, which so sees its own disks (sizes, first blocks), not the template's.
deferred=""
grep -qx "AIRLOCK_SETTINGS=port" /airlock/boot.env 2>/dev/null && grep -qx virtio_blk /lib/modules/order && deferred=virtio_blk
load_modules /lib/modules/order "$deferred"

. /airlock/boot.env || fail "no /airlock/boot.env"
mark "modules loaded"

# wait_for_devices DISKS: virtio devices probe asynchronously after insmod; wait (bounded) for the agent port, and
# for both disks when DISKS is 1.
wait_for_devices() {
  port=""
  tries=0
  while :; do
    for dir in /sys/class/virtio-ports/*; do
      [ -f "$dir/name" ] && [ "$(cat "$dir/name")" = airlock ] && port="/dev/${dir##*/}"
    done
    [ -n "$port" ] && [ -c "$port" ] && { [ "$1" = 0 ] || { [ -b /dev/vda ] && [ -b /dev/vdb ]; }; } && break
    tries=$((tries + 1))
    [ "$tries" -gt 500 ] && fail "virtio devices did not appear (vda, vdb, port 'airlock')"
    sleep 0.02
  done
}

if [ -n "$deferred" ]; then wait_for_devices 0; else wait_for_devices 1; fi
mark "devices ready"

# The agent lives on a tmpfs of its own: the image cannot shadow it and the sandbox cannot replace it on disk. It is
# filled here, before a template boot's wait, so a guest restored from the template does not copy the agent again
# (tens of milliseconds under TCG), and moved into the sandbox's root once that is mounted. Loopback likewise.
mkdir -p /agentfs
mount -t tmpfs -o mode=0755,size=64m tmpfs /agentfs || fail "mount the agent's tmpfs"
cp /airlock/agent /agentfs/agent || fail "copy agent"
rm -f /airlock/agent
chmod 0555 /agentfs/agent
mount -o remount,ro /agentfs || fail "seal the agent's tmpfs"
ip link set lo up || fail "bring up lo"
mark "agent copied"

# read_settings PORT: from the host, a line naming the end marker, then boot.env's lines, the marker, env's lines,
# the marker; answered with "ok". The port is closed again before the agent opens it.
# Until the host connects, a read of the port ends at once with nothing (not even blocking): poll for the first line.
read_settings() {
  exec 3<>"$1" || return 1
  until IFS= read -r end <&3; do
    [ -z "$end" ] || return 1
    sleep 0.01
  done
  [ -n "$end" ] || return 1
  file=/airlock/boot.env
  : > "$file"
  while IFS= read -r line <&3; do
    if [ "$line" = "$end" ]; then
      [ "$file" = /airlock/env ] && break
      file=/airlock/env
      : > "$file"
      continue
    fi
    printf '%s\n' "$line" >> "$file"
  done
  [ "$line" = "$end" ] || return 1
  echo ok >&3
  exec 3<&-
}

if [ "${AIRLOCK_SETTINGS:-}" = port ]; then
  read_settings "$port" || fail "no settings from the host on $port"
  . /airlock/boot.env || fail "bad settings from the host"
  # The snapshot's clock is the template's: the host's time, to the second, as an RTC read at boot would give.
  date -s "@$AIRLOCK_CLOCK" >/dev/null || fail "set the clock"
  if [ -n "$deferred" ]; then
    insmod "/lib/modules/$deferred.ko" || fail "insmod $deferred"
    wait_for_devices 1
  fi
  mark "settings received"
fi
if [ -n "${AIRLOCK_NET_ADDRESS:-}" ]; then
  load_modules /lib/modules/net-order
  tries=0
  until [ -e /sys/class/net/eth0 ]; do
    tries=$((tries + 1))
    [ "$tries" -gt 500 ] && fail "the NIC (eth0) did not appear"
    sleep 0.02
  done
  # No IPv6 on the link: the host side drops it anyway, and the guest need not try.
  echo 1 > /proc/sys/net/ipv6/conf/eth0/disable_ipv6 2>/dev/null
  ip addr add "$AIRLOCK_NET_ADDRESS" dev eth0 || fail "address eth0"
  ip link set eth0 up || fail "bring up eth0"
  ip route add default via "$AIRLOCK_NET_GATEWAY" || fail "route via $AIRLOCK_NET_GATEWAY"
fi

mark "network ready"
mount -t ext4 -o ro,noatime /dev/vda /base || fail "mount base disk"
mount -t ext4 -o noatime /dev/vdb /disk || fail "mount quota disk"
mkdir -p /disk/upper /disk/work || fail "prepare quota disk"
mount -t overlay overlay -o lowerdir=/base,upperdir=/disk/upper,workdir=/disk/work /newroot || fail "mount overlay root"
mark "root mounted"

mkdir -p /newroot/.airlock /newroot/dev /newroot/proc /newroot/sys /newroot/tmp
mount --move /agentfs /newroot/.airlock || fail "move the agent's tmpfs"

mount --move /dev /newroot/dev || fail "move /dev"
mount --move /proc /newroot/proc || fail "move /proc"
mount --move /sys /newroot/sys || fail "move /sys"
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /newroot/dev/pts || fail "mount /dev/pts"
ln -sf pts/ptmx /newroot/dev/ptmx
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /newroot/dev/shm || fail "mount /dev/shm"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /newroot/tmp || fail "mount /tmp"
# The links an OCI runtime makes in a container's /dev; programs read /dev/stdin and write /dev/stderr by name.
ln -sf /proc/self/fd /newroot/dev/fd
ln -sf /proc/self/fd/0 /newroot/dev/stdin
ln -sf /proc/self/fd/1 /newroot/dev/stdout
ln -sf /proc/self/fd/2 /newroot/dev/stderr
hostname "$AIRLOCK_HOSTNAME"

# The agent gets the sandbox's variables only (/airlock/env sets "$@" to K=V words), nothing of the initramfs.
. /airlock/env || fail "no /airlock/env"
mark "starting the agent"
# shellcheck disable=SC2086 # AIRLOCK_AGENT_ARGS is a list of plain words written by the backend
exec /bin/env -i "$@" /bin/switch_root /newroot /.airlock/agent serve --serial "$port" $AIRLOCK_AGENT_ARGS
