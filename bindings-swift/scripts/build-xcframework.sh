#!/usr/bin/env bash
# bindings-swift/scripts/build-xcframework.sh — the XCFramework through which the Swift package
# gets the Rust library on Apple platforms (Package.swift's binary target
# `LicenseInventoryFFI`). The full build runs on macOS ONLY: it needs Xcode (xcodebuild, lipo)
# and the Apple targets of Rust (`rustup target add …`). The release workflow runs it on a macOS
# runner.
#
# Usage:
#   build-xcframework.sh [--profile PROFILE] [--targets "T1 T2 …"] [--output DIR] [--dist DIR] [--no-zip]
#       (macOS) builds the static library for each target (default: macOS arm64 and x86_64,
#       iOS arm64, iOS simulator arm64 and x86_64) with cargo, merges each platform's
#       architectures with lipo, generates the header and module map (scripts/generate.sh),
#       writes DIR/LicenseInventoryFFI.xcframework (default DIR: bindings-swift, where
#       Package.swift looks) and the generated Swift sources into the package; then, unless
#       --no-zip, the release artifacts in the --dist folder (default: dist/ of the repository,
#       what the release workflow uploads): LicenseInventoryFFI.xcframework.zip and
#       LicenseInventoryFFI.xcframework.zip.checksum, its SwiftPM checksum (for a
#       `.binaryTarget(url:checksum:)`), also printed.
#   build-xcframework.sh --stage-headers DIR [--lib LIB] [--bindgen BINDGEN]
#       (any OS) only stages the C header and module map the XCFramework carries into DIR, from
#       LIB (default: the debug library of the host) with BINDGEN (default: the debug
#       uniffi-bindgen); scripts/test-swift.sh checks this part on Linux.
#   build-xcframework.sh --help
#
# Environment: CARGO_TARGET_DIR (default: the workspace's target/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PKG="$ROOT/bindings-swift"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
NAME=LicenseInventoryFFI
CRATE=license-inventory-swift
STATIC=liblicense_inventory_ffi.a

log() { printf '[build-xcframework] %s\n' "$*" >&2; }
die() { printf '[build-xcframework] ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

profile=release
targets="aarch64-apple-darwin x86_64-apple-darwin aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios"
output="$PKG"
zip=true
dist="$ROOT/dist"
stage_dir=""
lib=""
bindgen=""
while (($#)); do
    case $1 in
        --profile) [[ $# -ge 2 ]] || die "--profile needs a value"; profile=$2; shift 2 ;;
        --targets) [[ $# -ge 2 ]] || die "--targets needs a value"; targets=$2; shift 2 ;;
        --output) [[ $# -ge 2 ]] || die "--output needs a value"; output=$2; shift 2 ;;
        --no-zip) zip=false; shift ;;
        --dist) [[ $# -ge 2 ]] || die "--dist needs a value"; dist=$2; shift 2 ;;
        --stage-headers) [[ $# -ge 2 ]] || die "--stage-headers needs a folder"; stage_dir=$2; shift 2 ;;
        --lib) [[ $# -ge 2 ]] || die "--lib needs a value"; lib=$2; shift 2 ;;
        --bindgen) [[ $# -ge 2 ]] || die "--bindgen needs a value"; bindgen=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ $profile =~ ^[A-Za-z0-9_-]+$ ]] || die "bad profile: $profile"
# cargo's folder of a profile: dev builds go to debug/
profile_dir() { if [[ $1 == dev ]]; then echo debug; else echo "$1"; fi; }

# stage_headers DIR LIB BINDGEN: the header and module map of the C module into DIR.
stage_headers() {
    local dir=$1 from=$2 gen=$3 tmp
    tmp=$(mktemp -d)
    "$PKG/scripts/generate.sh" "$from" "$gen" "$tmp"
    mkdir -p "$dir"
    cp "$tmp/$NAME.h" "$tmp/module.modulemap" "$dir/"
    rm -rf "$tmp"
}

if [[ -n $stage_dir ]]; then
    if [[ -z $lib ]]; then
        for candidate in "$TARGET_DIR/debug/liblicense_inventory_ffi.so" "$TARGET_DIR/debug/liblicense_inventory_ffi.dylib"; do
            [[ -f $candidate ]] && lib=$candidate
        done
    fi
    [[ -n $lib ]] || die "no library to read (build it: cargo build -p $CRATE --lib), or pass --lib"
    bindgen=${bindgen:-$TARGET_DIR/debug/uniffi-bindgen}
    stage_headers "$stage_dir" "$lib" "$bindgen"
    log "staged $NAME.h and module.modulemap in $stage_dir"
    exit 0
fi

# --- the full build: macOS only -------------------------------------------------------------
[[ $(uname -s) == Darwin ]] || die "the XCFramework is built on macOS only (xcodebuild, lipo); on this system use --stage-headers DIR to check the header staging"
for tool in cargo xcodebuild lipo; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
read -r -a target_list <<<"$targets"
((${#target_list[@]})) || die "no targets"
if command -v rustup >/dev/null; then
    rustup target add "${target_list[@]}" >&2
fi

log "cargo build ($profile) for ${target_list[*]}"
for t in "${target_list[@]}"; do
    (cd "$ROOT" && cargo build -p "$CRATE" --lib --profile "$profile" --target "$t")
done
# The host's library and bindgen read the interface (the same code on every target).
(cd "$ROOT" && cargo build -p "$CRATE" --lib --bins --profile "$profile")
host_dir="$TARGET_DIR/$(profile_dir "$profile")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Headers in a folder of the module's name: static XCFrameworks' headers share one include
# folder in SwiftPM's build, where two module.modulemap files side by side would collide.
stage_headers "$work/headers/$NAME" "$host_dir/liblicense_inventory_ffi.dylib" "$host_dir/uniffi-bindgen"
"$PKG/scripts/generate.sh" "$host_dir/liblicense_inventory_ffi.dylib" "$host_dir/uniffi-bindgen" "$work/gen"
mkdir -p "$PKG/Sources/LicenseInventory/Generated"
cp "$work/gen/LicenseInventory.swift" "$PKG/Sources/LicenseInventory/Generated/"

# One library per platform: the architectures of each merged by lipo. (Plain variables, no
# associative array: macOS's own bash is 3.2.)
macos_libs="" ios_libs="" sim_libs=""
for t in "${target_list[@]}"; do
    built="$TARGET_DIR/$t/$(profile_dir "$profile")/$STATIC"
    case $t in
        *-apple-darwin) macos_libs+="$built " ;;
        *-apple-ios-sim | x86_64-apple-ios) sim_libs+="$built " ;;
        *-apple-ios) ios_libs+="$built " ;;
        *) die "not an Apple target: $t" ;;
    esac
done
args=()
for p in macos ios ios-simulator; do
    case $p in
        macos) list=$macos_libs ;;
        ios) list=$ios_libs ;;
        *) list=$sim_libs ;;
    esac
    [[ -n $list ]] || continue
    read -r -a libs <<<"$list"
    mkdir -p "$work/$p"
    lipo -create "${libs[@]}" -output "$work/$p/$STATIC"
    args+=(-library "$work/$p/$STATIC" -headers "$work/headers")
done
mkdir -p "$output"
rm -rf "${output:?}/$NAME.xcframework"
xcodebuild -create-xcframework "${args[@]}" -output "$output/$NAME.xcframework" >&2
log "wrote $output/$NAME.xcframework"

if $zip; then
    mkdir -p "$dist"
    dist=$(cd "$dist" && pwd)
    rm -f "$dist/$NAME.xcframework.zip"
    (cd "$output" && ditto -c -k --keepParent "$NAME.xcframework" "$dist/$NAME.xcframework.zip")
    checksum=$(cd "$PKG" && swift package compute-checksum "$dist/$NAME.xcframework.zip")
    echo "$checksum" >"$dist/$NAME.xcframework.zip.checksum"
    log "wrote $dist/$NAME.xcframework.zip (SwiftPM checksum $checksum)"
    echo "$checksum"
fi
