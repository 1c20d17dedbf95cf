#!/usr/bin/env bash
# Installs what Airlock needs on Debian bookworm and builds it from this checkout. Idempotent and
# fast when there is nothing to do: ./airlock runs it before every command, so a second run makes
# no network request and starts no build unless a file under src/ changed.
#
# Runs as root, non-interactively (CI=true, no stdin). Progress goes to stderr only: stdout belongs
# to the airlock command that follows (`airlock create` prints the sandbox id alone).
#
#   scripts/setup.sh            install missing packages, build if stale
#   AIRLOCK_SETUP_FORCE=1 ...   rebuild even if nothing changed
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
artifacts="$root/artifacts"
stamp="$artifacts/.build-stamp"
log="$artifacts/setup.log"

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Debian packages Airlock uses at run time, and what builds the guest agent with Native AOT.
#   runc: container tier   runsc: gvisor tier   qemu-system-x86: microvm tier
#           mmdebstrap: the default image     e2fsprogs: per-sandbox disk (mkfs.ext4)
#   util-linux: unshare, mount    iproute2, nftables: sandbox network and egress filtering
#   uidmap: id-mapped users       procps: ps/kill                   ca-certificates, python3: tooling
#   clang, zlib1g-dev: the native linker step of `dotnet publish -p:PublishAot=true`
packages=(runc runsc qemu-system-x86 mmdebstrap e2fsprogs util-linux iproute2 nftables uidmap procps ca-certificates python3 clang zlib1g-dev)

install_packages() {
  local missing=() package
  for package in "${packages[@]}"; do
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != "installed" ]]; then
      missing+=("$package")
    fi
  done
  ((${#missing[@]} == 0)) && return 0

  [[ $(id -u) -eq 0 ]] || die "missing Debian packages: ${missing[*]}; run as root (sudo $0) to install them"
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get: Airlock's setup needs Debian (bookworm)"
  export DEBIAN_FRONTEND=noninteractive
  step "updating the package lists" apt-get update -q
  step "installing ${missing[*]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# True when the outputs are missing or any build input is newer than the last successful build.
# bin/ and obj/ are build outputs themselves and would always look newer.
stale() {
  [[ "${AIRLOCK_SETUP_FORCE:-}" == 1 ]] && return 0
  [[ -f "$stamp" && -f "$artifacts/bin/airlock.dll" && -x "$artifacts/agent/airlock-agent" ]] || return 0
  local newer
  newer="$(find "$root/src" "$root/Directory.Build.props" "$root/Directory.Packages.props" "$root/global.json" \
    "$root/scripts/setup.sh" \( -name bin -o -name obj \) -prune -o -newer "$stamp" -print -quit 2>/dev/null || true)"
  [[ -n "$newer" ]]
}

# Runs one build step with its output in the log; on failure shows the errors (or the tail).
step() {
  local what="$1"; shift
  say "$what"
  # 9>&-: the build servers dotnet leaves running must not inherit (and so hold) the setup lock.
  if ! "$@" >>"$log" 2>&1 </dev/null 9>&-; then
    printf '%s\n' "----- $what failed; from $log:" >&2
    { grep -E ': error [A-Z]+[0-9]+|error:' "$log" | sort -u | head -n 30; } >&2 || true
    tail -n 15 "$log" >&2
    die "$what failed"
  fi
}

build() {
  command -v dotnet >/dev/null || die "the .NET SDK is not installed (dotnet not on PATH); install the .NET 10 SDK"
  # Two ./airlock commands at once: the second waits for the first build instead of racing it.
  exec 9>"$artifacts/.setup.lock"
  flock 9
  stale || return 0

  # Taken before building, so a file edited during the build still counts as newer next time.
  local started="$artifacts/.build-stamp.new"
  touch "$started"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  step "building the guest agent (Native AOT, about a minute)" \
    dotnet publish "$root/src/Airlock.Guest" -c Release -r linux-x64 -o "$artifacts/agent" -p:PublishAot=true -nologo
  step "building the airlock CLI" \
    dotnet build "$root/src/Airlock.Cli" -c Release -o "$artifacts/bin" -nologo
  [[ -x "$artifacts/agent/airlock-agent" ]] || die "the build did not produce $artifacts/agent/airlock-agent"
  mv -f "$started" "$stamp"
  say "build ready in $artifacts"
}

# The microVM tier's guest kernel: Debian's cloud kernel, downloaded (not installed) into the kernel
# cache once; afterwards only a quick check that it is current.
fetch_guest_kernel() {
  local kernels="${AIRLOCK_KERNELS:-/var/lib/airlock/kernels}"
  [[ $(id -u) -eq 0 ]] || return 0
  # Current when built from this checkout's init.sh and kernel script (by content: a fresh clone reuses the
  # cache). The same key as microvm-kernel.sh's, which otherwise runs on every call (~1 s of apt-cache).
  [[ -f "$kernels/current/vmlinuz" && -f "$kernels/current/initramfs.cpio" \
    && "$(cat "$kernels/current/init.sha256" 2>/dev/null)" == "$(cat "$root/src/Airlock.Backends.MicroVm/Guest/init.sh" "$root/scripts/microvm-kernel.sh" | sha256sum | cut -d' ' -f1)" ]] && return 0
  step "fetching the microVM guest kernel (Debian's cloud kernel)" "$root/scripts/microvm-kernel.sh" "$kernels"
}

mkdir -p "$artifacts"
: >"$log"
install_packages
fetch_guest_kernel
build
