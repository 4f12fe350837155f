#!/usr/bin/env bash
# bindings-swift/scripts/stage-linux.sh — provide the Rust library to SwiftPM on Linux: the shared
# library and a pkg-config file, which the package's system library target `LicenseInventoryFFI`
# (`pkgConfig: "license-inventory-ffi"`) reads for the linker's -L.
#
#   stage-linux.sh LIB PREFIX
#
# Copies LIB (a built liblicense_inventory_ffi.so: `cargo build --release -p
# license-inventory-swift`) to PREFIX/lib (only when its content changed, so SwiftPM's build
# stays incremental) and writes PREFIX/lib/pkgconfig/license-inventory-ffi.pc. Then:
#   - system-wide: `stage-linux.sh target/release/liblicense_inventory_ffi.so /usr/local` and
#     `ldconfig`; SwiftPM finds the .pc in pkg-config's default path, the loader the library;
#   - elsewhere (what scripts/test-swift.sh does, PREFIX = bindings-swift/.rust-lib): build with
#     PKG_CONFIG_PATH=PREFIX/lib/pkgconfig and run with LD_LIBRARY_PATH=PREFIX/lib.
# (SwiftPM takes only -L/-l/-I flags from a .pc file, so no rpath is written into it.)
set -euo pipefail

die() { printf '[stage-linux] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: $0 LIB PREFIX"
LIB=$1 PREFIX=$2
[[ -f $LIB ]] || die "$LIB: no such library"
[[ $(basename "$LIB") == liblicense_inventory_ffi.so ]] || die "$LIB: expected liblicense_inventory_ffi.so"
mkdir -p "$PREFIX/lib/pkgconfig"
PREFIX=$(cd "$PREFIX" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -n 1)
[[ -n $VERSION ]] || die "no version in $ROOT/Cargo.toml"

# replace_if_changed SRC DST: DST becomes SRC, atomically, only when they differ.
replace_if_changed() {
    if ! cmp -s "$1" "$2"; then
        cp "$1" "$2.tmp.$$"
        mv -f "$2.tmp.$$" "$2"
        printf '[stage-linux] updated %s\n' "$2" >&2
    fi
}

replace_if_changed "$LIB" "$PREFIX/lib/liblicense_inventory_ffi.so"
PC=$(mktemp)
trap 'rm -f "$PC"' EXIT
cat >"$PC" <<PCEOF
prefix=$PREFIX
libdir=\${prefix}/lib

Name: license-inventory-ffi
Description: license-inventory's C ABI for its Swift binding (uniffi)
Version: $VERSION
Libs: -L\${libdir} -llicense_inventory_ffi
Cflags:
PCEOF
replace_if_changed "$PC" "$PREFIX/lib/pkgconfig/license-inventory-ffi.pc"
