#!/usr/bin/env bash
# scripts/swift-env.sh — give the test command a Swift toolchain on a machine that has none.
#
# If `swift` is on PATH it is used as is. Otherwise (Debian 12 packages no Swift, and
# Debian 13's `swiftlang` needs a newer glibc than bookworm's), a minbase Debian 13
# (trixie) chroot is made with debootstrap and `swiftlang` + `libc6-dev` are installed in
# it. Commands then run inside the chroot, in a private mount namespace, with the
# project folder bind-mounted at the same path, so `swift build`/`swift test` see the
# repository and the Rust library built on the host.
#
# Usage (as root when a chroot is needed):
#   scripts/swift-env.sh ensure          make the toolchain ready, print `swift --version`
#   scripts/swift-env.sh run DIR CMD...  run CMD with DIR bind-mounted (same path), cwd DIR
#
# In the chroot the environment is reset (`env -i`: HOME, LANG, TERM, PATH only) and /tmp is
# a private tmpfs; `run` can add to that:
#   SWIFT_ENV_BIND="D1 D2"  host directories also bind-mounted at the same paths (e.g. the
#                           Unix socket folder of a PostgreSQL server under /tmp)
#   SWIFT_ENV_PASS="V1 V2"  environment variables passed in with their values (those unset
#                           on the host are left unset)
# With a native `swift` both are moot: CMD sees the host's folders and inherits the environment.
#
# Environment:
#   SWIFT_CHROOT       chroot directory (default /opt/license-inventory-swift)
#   DEBIAN_MIRROR      Debian archive   (default http://deb.debian.org/debian)
set -euo pipefail

SWIFT_CHROOT="${SWIFT_CHROOT:-/opt/license-inventory-swift}"
SWIFT_CHROOT="${SWIFT_CHROOT%/}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
READY="$SWIFT_CHROOT/.ready"

log() { printf '[swift-env] %s\n' "$*" >&2; }
die() { printf '[swift-env] ERROR: %s\n' "$*" >&2; exit 1; }

native() { command -v swift >/dev/null 2>&1; }

# in_chroot [--cwd DIR] [--bind DIR]... [--env NAME=VALUE]... CMD...: run CMD inside the
# chroot, in DIR (default /); /proc, /dev, a tmpfs on /tmp and each bound DIR (same path
# inside) are mounted only in a private namespace, so nothing stays mounted afterwards.
in_chroot() {
    local cwd=/ binds=() envs=()
    while (($#)); do
        case $1 in
            --cwd) cwd=$2; shift 2 ;;
            --bind) binds+=("$2"); shift 2 ;;
            --env) envs+=("$2"); shift 2 ;;
            *) break ;;
        esac
    done
    unshare --mount --propagation private -- /bin/bash -c '
        set -e
        root=$1 cwd=$2 nbinds=$3; shift 3
        binds=("${@:1:nbinds}"); shift "$nbinds"
        nenvs=$1; shift
        envs=("${@:1:nenvs}"); shift "$nenvs"
        mount -t proc proc "$root/proc"
        mount --rbind /dev "$root/dev"
        mount -t tmpfs tmpfs "$root/tmp"
        for dir in "${binds[@]}"; do
            mkdir -p "$root$dir"
            mount --bind "$dir" "$root$dir"
        done
        exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
            DEBIAN_FRONTEND=noninteractive \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            "${envs[@]}" \
            /bin/bash -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
    ' swift-env "$SWIFT_CHROOT" "$cwd" "${#binds[@]}" "${binds[@]}" "${#envs[@]}" "${envs[@]}" "$@"
}

# run DIR CMD...: CMD in DIR, natively or in the chroot with DIR, $SWIFT_ENV_BIND bound and
# $SWIFT_ENV_PASS passed.
run() {
    local dir extra name binds=() names=() args=()
    dir=$(cd "$1" && pwd); shift
    ensure
    if native; then (cd "$dir" && "$@"); return; fi
    args=(--cwd "$dir" --bind "$dir")
    read -r -a binds <<<"${SWIFT_ENV_BIND:-}"
    for extra in "${binds[@]}"; do
        [[ $extra == /* ]] || die "SWIFT_ENV_BIND: '$extra' is not an absolute path"
        [[ -d $extra ]] || die "SWIFT_ENV_BIND: '$extra' is not a directory"
        extra=$(cd "$extra" && pwd)
        if [[ $extra != "$dir" ]]; then args+=(--bind "$extra"); fi
    done
    read -r -a names <<<"${SWIFT_ENV_PASS:-}"
    for name in "${names[@]}"; do
        [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "SWIFT_ENV_PASS: '$name' is not a variable name"
        if [[ -n ${!name+set} ]]; then args+=(--env "$name=${!name}"); fi
    done
    in_chroot "${args[@]}" "$@"
}

setup() {
    [[ $(id -u) -eq 0 ]] || die "no swift on PATH, and making the Debian 13 chroot needs root"
    if ! command -v debootstrap >/dev/null; then
        log "installing debootstrap"
        apt-get install -y -q debootstrap >/dev/null 2>&1 \
            || { apt-get update -q >/dev/null && apt-get install -y -q debootstrap >/dev/null; }
    fi
    if [[ -d $SWIFT_CHROOT/debootstrap ]]; then
        log "removing a half-made chroot"
        findmnt -rn -o TARGET | grep -q "^$SWIFT_CHROOT/" && die "something is mounted under $SWIFT_CHROOT"
        rm -rf --one-file-system "$SWIFT_CHROOT"
    fi
    if [[ ! -x $SWIFT_CHROOT/usr/bin/apt-get ]]; then
        log "debootstrap trixie into $SWIFT_CHROOT"
        mkdir -p "$(dirname "$SWIFT_CHROOT")"
        debootstrap --variant=minbase trixie "$SWIFT_CHROOT" "$DEBIAN_MIRROR" >&2
    fi
    cp -L /etc/resolv.conf "$SWIFT_CHROOT/etc/resolv.conf"
    log "installing swiftlang and libc6-dev in the chroot"
    in_chroot apt-get update -q >&2
    in_chroot apt-get install -y -q --no-install-recommends swiftlang libc6-dev >&2
    in_chroot apt-get clean
    in_chroot swift --version >&2
    touch "$READY"
}

ensure() {
    native && return 0
    mkdir -p "$(dirname "$SWIFT_CHROOT")"
    exec 9>"$SWIFT_CHROOT.lock"
    flock 9
    [[ -f $READY ]] || setup
    exec 9>&-
}

case "${1:-ensure}" in
    ensure) ensure; if native; then swift --version; else in_chroot swift --version; fi ;;
    run) shift; [[ $# -ge 2 ]] || die "usage: $0 run DIR CMD..."; run "$@" ;;
    *) die "usage: $0 ensure | run DIR CMD..." ;;
esac
