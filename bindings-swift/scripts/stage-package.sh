#!/usr/bin/env bash
# bindings-swift/scripts/stage-package.sh — the Swift package as a release publishes it: the
# root of its own repository (SwiftPM reads a dependency's Package.swift at the repository's
# root), with the generated sources committed and the XCFramework fetched by URL and checksum.
#
#   stage-package.sh OUT_DIR XCFRAMEWORK_URL CHECKSUM
#
# Copies Package.swift, Sources/ (the generated Swift API and C module included: run
# scripts/generate.sh, or scripts/test-swift.sh, first), Tests/, README.md and the licence
# files into OUT_DIR, and rewrites the Apple binary target from the local
# `path: "LicenseInventoryFFI.xcframework"` to `url: XCFRAMEWORK_URL, checksum: CHECKSUM` (the
# zip and checksum that build-xcframework.sh writes; the release uploads the zip). OUT_DIR is
# then committed and tagged in the package repository by the release workflow
# (.github/workflows/release.yml, job swift-package). Runs anywhere (Linux or macOS);
# scripts/test-swift.sh checks its output. docs/decisions.md §54.
set -euo pipefail

die() { printf '[stage-package] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 3 ]] || die "usage: $0 OUT_DIR XCFRAMEWORK_URL CHECKSUM"
OUT=$1 URL=$2 SUM=$3
[[ $URL == https://*.zip ]] || die "XCFRAMEWORK_URL must be an https URL of a .zip, got '$URL'"
[[ $SUM =~ ^[0-9a-f]{64}$ ]] || die "CHECKSUM must be 64 hex digits (swift package compute-checksum), got '$SUM'"
PKG=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "$PKG/.." && pwd)

for f in Sources/LicenseInventory/Generated/LicenseInventory.swift \
    Sources/LicenseInventoryFFI/LicenseInventoryFFI.h Sources/LicenseInventoryFFI/module.modulemap; do
    [[ -s $PKG/$f ]] || die "$f is missing: generate the sources first (scripts/generate.sh)"
done
grep -q 'path: "LicenseInventoryFFI.xcframework"' "$PKG/Package.swift" \
    || die "Package.swift has no local binary target path to rewrite"

mkdir -p "$OUT"
cp "$PKG/Package.swift" "$PKG/README.md" "$OUT/"
cp -R "$PKG/Sources" "$PKG/Tests" "$OUT/"
cp "$ROOT/LICENSE-MIT" "$ROOT/LICENSE-APACHE" "$OUT/"
# Build outputs never travel: only the sources.
rm -rf "$OUT/Sources/LicenseInventory/.build" "$OUT/.build"
sed -i.bak "s|path: \"LicenseInventoryFFI.xcframework\"|url: \"$URL\", checksum: \"$SUM\"|" \
    "$OUT/Package.swift"
rm -f "$OUT/Package.swift.bak"
grep -q "url: \"$URL\", checksum: \"$SUM\"" "$OUT/Package.swift" || die "the binary target was not rewritten"
printf '%s\n' "$OUT"
