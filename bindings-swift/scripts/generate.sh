#!/usr/bin/env bash
# bindings-swift/scripts/generate.sh — the Swift sources and the C module of the binding, from a
# built library (uniffi library mode), with the crate's own uniffi-bindgen.
#
#   generate.sh LIB BINDGEN OUT_DIR
#
# LIB is the built Rust library (liblicense_inventory_ffi.so, .dylib or .a), BINDGEN the
# crate's `uniffi-bindgen` binary built with it (`cargo build -p license-inventory-swift
# --bins`). Writes, into OUT_DIR:
#   LicenseInventory.swift   the Swift API (target LicenseInventory, Sources/…/Generated)
#   LicenseInventoryFFI.h    the C declarations of the FFI
#   module.modulemap         uniffi's module map, plus a `link "license_inventory_ffi"` line
#                            (uniffi writes none), so that importing the module links the
#                            library wherever it is found: by pkg-config's -L on Linux, inside
#                            the XCFramework on Apple platforms
# Runs anywhere uniffi-bindgen runs (Linux or macOS); used by scripts/test-swift.sh and by
# build-xcframework.sh.
set -euo pipefail

die() { printf '[generate] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 3 ]] || die "usage: $0 LIB BINDGEN OUT_DIR"
LIB=$1 BINDGEN=$2 OUT=$3
[[ -f $LIB ]] || die "$LIB: no such library"
[[ -x $BINDGEN ]] || die "$BINDGEN: not an executable"
PKG=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# cwd = the crate, so that cargo metadata finds this crate's uniffi.toml
(cd "$PKG" && "$BINDGEN" generate --library "$LIB" --language swift --no-format \
    --out-dir "$TMP" >&2)
for f in LicenseInventory.swift LicenseInventoryFFI.h LicenseInventoryFFI.modulemap; do
    [[ -f $TMP/$f ]] || die "bindgen did not write $f (check bindings-swift/uniffi.toml)"
done
grep -q '^module LicenseInventoryFFI {' "$TMP/LicenseInventoryFFI.modulemap" \
    || die "unexpected module map (no 'module LicenseInventoryFFI {')"
# The module map with a link line, inserted after the module's opening line.
awk '{ print } /^module LicenseInventoryFFI \{/ { print "    link \"license_inventory_ffi\"" }' \
    "$TMP/LicenseInventoryFFI.modulemap" >"$TMP/module.modulemap"
mv -f "$TMP/LicenseInventory.swift" "$TMP/LicenseInventoryFFI.h" "$TMP/module.modulemap" "$OUT/"
