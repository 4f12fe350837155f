#!/usr/bin/env bash
# scripts/test-swift.sh — build, generate and test the Swift binding (bindings-swift/).
#
#   1. builds the Rust library and the crate's own uniffi-bindgen on the host (cargo, debug,
#      the workspace target dir), and runs the crate's Rust unit tests (error conversion);
#   2. generates the Swift bindings from the library (bindings-swift/scripts/generate.sh, uniffi
#      library mode) into the gitignored Sources/LicenseInventory/Generated and
#      Sources/LicenseInventoryFFI, and stages the library and its pkg-config file in
#      bindings-swift/.rust-lib (bindings-swift/scripts/stage-linux.sh), as Package.swift's
#      system library target expects on Linux; files whose content did not change are left
#      untouched, so SwiftPM's incremental build stays incremental;
#   3. runs `swift build` and `swift test` through scripts/swift-env.sh (a Debian 13 chroot
#      with swiftlang when this machine has no Swift), with PKG_CONFIG_PATH (build) and
#      LD_LIBRARY_PATH (run) naming .rust-lib;
#   4. runs the walkthrough executable on a fresh SQLite file and checks its output;
#   5. builds and runs the consumer package bindings-swift/Consumer, which depends on the library
#      package by path as another package would (no unsafe flags anywhere), and checks its output;
#   6. checks the Linux-testable parts of bindings-swift/scripts/build-xcframework.sh (macOS-only:
#      its arguments, the staging of the header and module map) and shellchecks the Swift scripts
#      when shellcheck is installed.
#
# Standalone and idempotent; runs as root on a fresh Debian 12 machine (the chroot is made on
# first use), with CI=true and no stdin. Exits non-zero on any failure.
#
# Environment: CARGO_TARGET_DIR (default: the workspace's target/), SWIFT_CHROOT (see
# swift-env.sh), SWIFT_TEST_FILTER (passed to `swift test --filter`).
# LICENSE_INVENTORY_PG_URL (a PostgreSQL database, e.g. from scripts/pg-cluster.sh) and CI are
# passed to `swift test`: with the URL, part of the suite also runs on PostgreSQL; without it
# those tests are skipped, or fail when CI=true. The chroot resets the environment and has a
# private /tmp, so both variables are passed in explicitly and the URL's Unix socket folder
# (`host=/…`) is bind-mounted at the same path.
set -euo pipefail
exec </dev/null

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PKG="$ROOT/bindings-swift"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
LIB_NAME=liblicense_inventory_ffi.so
SWIFT_ENV="$ROOT/scripts/swift-env.sh"

log() { printf '[test-swift] %s\n' "$*" >&2; }
die() { printf '[test-swift] ERROR: %s\n' "$*" >&2; exit 1; }
step_start() { STEP_T0=$SECONDS; log "$*"; }
step_end() { log "  done in $((SECONDS - STEP_T0))s"; }

# install_if_changed SRC DST: replace DST by SRC only when their contents differ.
install_if_changed() {
    if ! cmp -s "$1" "$2"; then
        mkdir -p "$(dirname "$2")"
        cp "$1" "$2.tmp.$$"
        mv -f "$2.tmp.$$" "$2"
        log "  updated ${2#"$ROOT"/}"
    fi
}

command -v cargo >/dev/null || die "cargo not found (the Rust toolchain is needed on the host)"

# --- 1. the Rust library and the bindgen -----------------------------------------------
step_start "cargo build -p license-inventory-swift (debug)"
(cd "$ROOT" && cargo build -p license-inventory-swift --lib --bins)
LIB="$TARGET_DIR/debug/$LIB_NAME"
BINDGEN="$TARGET_DIR/debug/uniffi-bindgen"
[[ -f $LIB ]] || die "$LIB not built"
[[ -x $BINDGEN ]] || die "$BINDGEN not built"
step_end

step_start "cargo test -p license-inventory-swift --lib (the conversions)"
(cd "$ROOT" && cargo test -p license-inventory-swift --lib --quiet)
step_end

# --- 2. generate the Swift bindings (library mode), stage the library ----------------------
step_start "generate the Swift bindings, stage the library and its pkg-config file"
GEN_TMP=$(mktemp -d)
trap 'rm -rf "$GEN_TMP"' EXIT
"$PKG/scripts/generate.sh" "$LIB" "$BINDGEN" "$GEN_TMP"
install_if_changed "$GEN_TMP/LicenseInventory.swift" "$PKG/Sources/LicenseInventory/Generated/LicenseInventory.swift"
install_if_changed "$GEN_TMP/LicenseInventoryFFI.h" "$PKG/Sources/LicenseInventoryFFI/LicenseInventoryFFI.h"
install_if_changed "$GEN_TMP/module.modulemap" "$PKG/Sources/LicenseInventoryFFI/module.modulemap"
# Dynamic linking: no relink needed when only the library's code changed (SwiftPM would not
# notice a rebuilt library); an interface change changes the generated Swift, which SwiftPM
# sees, and uniffi's checksums catch any mismatch at load time.
STAGE="$PKG/.rust-lib"
"$PKG/scripts/stage-linux.sh" "$LIB" "$STAGE"
# What the system library target and the loader need, passed into the chroot by swift-env.sh.
export PKG_CONFIG_PATH="$STAGE/lib/pkgconfig" LD_LIBRARY_PATH="$STAGE/lib"
SWIFT_PASS="PKG_CONFIG_PATH LD_LIBRARY_PATH"
step_end

# --- 3. swift build, swift test --------------------------------------------------------
step_start "swift build"
SWIFT_ENV_PASS="$SWIFT_PASS" "$SWIFT_ENV" run "$PKG" swift build
step_end

# socket_dirs URL: the absolute host folders (Unix socket directories) a libpq URL names, one
# a line: `host=/…` of a key/value string (quoted or not; a comma-separated list), or the
# `host=` parameter / percent-encoded host of a postgres:// URI. TCP hosts are left out.
socket_dirs() {
    local url=$1 hosts=() params=() parts=() h
    if [[ $url =~ ^postgres(ql)?:// ]]; then
        local rest=${url#*://}
        local authority=${rest%%[/?]*}
        authority=${authority##*@}
        hosts+=("${authority%:*}")
        if [[ $rest == *\?* ]]; then
            local query=${rest#*\?} param
            IFS='&' read -r -a params <<<"$query"
            for param in "${params[@]}"; do
                [[ $param == host=* ]] && hosts+=("${param#host=}")
            done
        fi
        for h in "${hosts[@]}"; do
            h=$(printf '%b' "${h//%/\\x}")  # percent-decoding
            IFS=',' read -r -a parts <<<"$h"
            printf '%s\n' "${parts[@]}"
        done
    else
        # key/value: host=VALUE or host = 'VALUE' (values with spaces need quotes)
        local re="(^|[[:space:]])host[[:space:]]*=[[:space:]]*('([^']*)'|([^[:space:]']*))"
        if [[ $url =~ $re ]]; then
            h=${BASH_REMATCH[3]:-${BASH_REMATCH[4]}}
            IFS=',' read -r -a parts <<<"$h"
            printf '%s\n' "${parts[@]}"
        fi
    fi | while IFS= read -r h; do
        [[ $h == /* && -d $h ]] && printf '%s\n' "$h"
    done
    return 0
}

step_start "swift test"
# XCTest only: Swift Testing would close the run with "0 tests passed" (we have none).
TEST_ARGS=(swift test --disable-swift-testing)
[[ -n ${SWIFT_TEST_FILTER:-} ]] && TEST_ARGS+=(--filter "$SWIFT_TEST_FILTER")
TEST_LOG="$PKG/.build/swift-test.log"
mkdir -p "$PKG/.build"
PG_BINDS=""
if [[ -n ${LICENSE_INVENTORY_PG_URL:-} ]]; then
    while IFS= read -r dir; do
        # SWIFT_ENV_BIND is a space-separated list
        if [[ $dir == *[[:space:]]* ]]; then
            log "  WARNING: cannot bind '$dir' (white space) into the chroot"
        else
            PG_BINDS+="$dir "
        fi
    done < <(socket_dirs "$LICENSE_INVENTORY_PG_URL")
    log "  PostgreSQL: LICENSE_INVENTORY_PG_URL is set${PG_BINDS:+ (socket folder: ${PG_BINDS% })}"
elif [[ ${CI:-} == true ]]; then
    log "  PostgreSQL: LICENSE_INVENTORY_PG_URL is not set and CI=true: its tests will fail"
else
    log "  PostgreSQL: LICENSE_INVENTORY_PG_URL is not set: its tests are skipped"
fi
set +e
SWIFT_ENV_BIND="$PG_BINDS" SWIFT_ENV_PASS="LICENSE_INVENTORY_PG_URL CI $SWIFT_PASS" \
    "$SWIFT_ENV" run "$PKG" "${TEST_ARGS[@]}" 2>&1 | tee "$TEST_LOG"
rc=${PIPESTATUS[0]}
set -e
# XCTest's last summary: "Executed N tests, with [S tests skipped and ]M failures (U unexpected) in ..."
summary_re='Executed ([0-9]+) tests?, with (([0-9]+) tests? skipped and )?([0-9]+) failures?'
summary=$(grep -E "$summary_re" "$TEST_LOG" | tail -n 1 || true)
if [[ $summary =~ $summary_re ]]; then
    total=${BASH_REMATCH[1]} skipped=${BASH_REMATCH[3]:-0} failed=${BASH_REMATCH[4]}
    echo "swift: $((total - skipped - failed)) passed, $skipped skipped, $failed failed"
fi
[[ $rc -eq 0 ]] || die "swift test failed (exit $rc)"
[[ -n $summary ]] || die "swift test printed no XCTest summary"
step_end

# --- 4. the walkthrough ------------------------------------------------------------------
step_start "walkthrough (SQLite file)"
# The chroot has its own /tmp: the database file lives in the package's .build folder.
DB="$PKG/.build/walkthrough.sqlite"
rm -f "$DB" "$DB-wal" "$DB-shm"
OUT=$(SWIFT_ENV_PASS="$SWIFT_PASS" "$SWIFT_ENV" run "$PKG" .build/debug/Walkthrough "$DB")
printf '%s\n' "$OUT"
check() {
    grep -qE -- "$1" <<<"$OUT" || die "walkthrough output lacks a line matching: $1"
}
# The seed's numbers (000_*.txt): MGA Inc's License Inventory, indicators, Detail of
# Inventory Use of 1211 and Order Details of 1211.
check '^Assigned Center Licenses: 3$'
check '^Assigned User Activation Codes: 1$'
check '^Pending Requests: 1$'
check '^1213 +Center License +20171019 +Requested +1 +0 +MGA Inc Irina Heer +2017-10-20 02:24$'
check '^1211 +User Activation Codes +EE2017-5 +Active +2 +1 +MGA Inc +2017-10-20 01:45 +Ellen Emporium Irina Heer$'
check '^1210 +Center License +EE2017-1 +Active +3 +3 +MGA Inc +2017-10-20 01:45 +Ellen Emporium Irina Heer$'
check '^Available Inventory: 1$'
check '^1212 +1 +2017-10-20 01:52 +Elerome School +MGA Inc Irina Heer$'
check '^Assigned By: +Ellen Emporium Irina Heer$'
check '^Quantity: +2$'
check '^Order 1210$'
check '^Issued 2 licenses: [0-9A-Z]{5}(-[0-9A-Z]{5}){4}, [0-9A-Z]{5}(-[0-9A-Z]{5}){4}$'
check '^License manager: Lena Manager \(manage_license_users, reset_device\)$'
check '^Activated [0-9A-Z-]{29} on front-desk: 1 of 2 devices$'
check '^Lena Manager reset device front-desk: 0 devices$'
check '^Lena Manager may not issue licenses \(PERMISSION_DENIED\)$'
check '^Exported order 1210: 2 license rows to .*\.1210\.csv$'
check '^Deleted order 1210: 1 unused unit back to 1208 \(8 available\), 2 licenses retired$'
check '^Audit: 5 orders, 28 ledger entries, minted 20 - retired 2 = available 18 \+ issued 0: clean$'
check '^Audit: .*: clean$'
step_end

# --- 5. the consumer package ---------------------------------------------------------------
step_start "consumer package (bindings-swift/Consumer: depends on the library by path)"
# Run from the library's folder (bound into the chroot), which holds the consumer's.
SWIFT_ENV_PASS="$SWIFT_PASS" "$SWIFT_ENV" run "$PKG" swift build --package-path Consumer
OUT=$(SWIFT_ENV_PASS="$SWIFT_PASS" "$SWIFT_ENV" run "$PKG" Consumer/.build/debug/Consumer)
printf '%s\n' "$OUT"
check '^Consumer of LicenseInventory [0-9]+\.[0-9]+\.[0-9]+$'
check '^Requested 1210: 3 Center License for MGA Inc$'
check '^Approved 1210 \(Active\): 3 available$'
check '^Issued 8 licenses from 1211 in 8 concurrent calls: 8 distinct keys$'
check '^Activated [0-9A-Z-]{29} on laptop: 1 of 2 devices$'
check '^Refused: PERMISSION_DENIED approve by user [0-9a-f-]{36}$'
check '^Audit: clean$'
step_end

# --- 6. the XCFramework script's Linux-testable parts --------------------------------------
step_start "build-xcframework.sh (macOS-only): arguments and header staging; stage-package.sh"
XCF="$PKG/scripts/build-xcframework.sh"
bash "$XCF" --help >/dev/null || die "build-xcframework.sh --help failed"
if bash "$XCF" --no-such-option >/dev/null 2>&1; then die "build-xcframework.sh accepted an unknown option"; fi
if [[ $(uname -s) != Darwin ]] && bash "$XCF" >/dev/null 2>&1; then
    die "build-xcframework.sh ran a full build off macOS"
fi
STAGED="$GEN_TMP/xcframework-headers"
bash "$XCF" --stage-headers "$STAGED" --lib "$LIB" --bindgen "$BINDGEN" >/dev/null
for f in LicenseInventoryFFI.h module.modulemap; do
    [[ -s $STAGED/$f ]] || die "build-xcframework.sh --stage-headers wrote no $f"
done
grep -q 'link "license_inventory_ffi"' "$STAGED/module.modulemap" || die "staged module map has no link line"
cmp -s "$STAGED/LicenseInventoryFFI.h" "$PKG/Sources/LicenseInventoryFFI/LicenseInventoryFFI.h" \
    || die "the staged header differs from the package's"
# The package as a release publishes it (its own repository's root, the XCFramework by URL).
PUBLISHED="$GEN_TMP/published"
SUM=$(printf '%064d' 0)
bash "$PKG/scripts/stage-package.sh" "$PUBLISHED" https://example.invalid/LicenseInventoryFFI.xcframework.zip "$SUM" >/dev/null
grep -q "url: \"https://example.invalid/LicenseInventoryFFI.xcframework.zip\", checksum: \"$SUM\"" "$PUBLISHED/Package.swift" \
    || die "stage-package.sh did not point the binary target at the release's zip"
if grep -q 'path: "LicenseInventoryFFI.xcframework"' "$PUBLISHED/Package.swift"; then
    die "stage-package.sh left the local XCFramework path"
fi
cmp -s "$PUBLISHED/Sources/LicenseInventory/Generated/LicenseInventory.swift" \
    "$PKG/Sources/LicenseInventory/Generated/LicenseInventory.swift" \
    || die "stage-package.sh did not carry the generated Swift sources"
[[ -s $PUBLISHED/LICENSE-MIT && -d $PUBLISHED/Tests ]] || die "stage-package.sh left out the licence or the tests"
if bash "$PKG/scripts/stage-package.sh" "$GEN_TMP/bad" https://example.invalid/x.zip nope >/dev/null 2>&1; then
    die "stage-package.sh accepted a malformed checksum"
fi
if command -v shellcheck >/dev/null; then
    shellcheck "$XCF" "$PKG/scripts/generate.sh" "$PKG/scripts/stage-linux.sh" "$PKG/scripts/stage-package.sh" "$ROOT/scripts/test-swift.sh"
else
    log "  shellcheck not installed: scripts not linted"
fi
step_end

log "all Swift checks passed"
