// swift-tools-version:5.9
// Swift package of the license-inventory binding.
//
// Another package can depend on it as a versioned dependency: no `unsafeFlags`, no path outside
// the package. The Rust library comes in through the target `LicenseInventoryFFI`:
//
// - Apple platforms: a binary target, the XCFramework `LicenseInventoryFFI.xcframework` (static
//   libraries for macOS, iOS and the iOS simulator, with the C header and module map) made on
//   macOS by `scripts/build-xcframework.sh`.
// - Linux: a system library target found through pkg-config (`license-inventory-ffi.pc`, written
//   with the shared library by `scripts/stage-linux.sh`): its module map links the library,
//   pkg-config gives the linker its folder, the dynamic loader finds it at run time (installed
//   system-wide, or `LD_LIBRARY_PATH`).
//
// The Swift sources in Sources/LicenseInventory/Generated and the C module in
// Sources/LicenseInventoryFFI are generated from the Rust library by `scripts/generate.sh`
// (`scripts/test-swift.sh` builds, generates and stages everything for the tests).
import PackageDescription

#if canImport(Darwin)
let ffi: Target = .binaryTarget(name: "LicenseInventoryFFI", path: "LicenseInventoryFFI.xcframework")
#else
let ffi: Target = .systemLibrary(
    name: "LicenseInventoryFFI",
    path: "Sources/LicenseInventoryFFI",
    pkgConfig: "license-inventory-ffi"
)
#endif

let package = Package(
    name: "LicenseInventory",
    // Swift concurrency (every store call is `async`).
    platforms: [.macOS(.v10_15), .iOS(.v13)],
    products: [
        .library(name: "LicenseInventory", targets: ["LicenseInventory"]),
        .executable(name: "Walkthrough", targets: ["Walkthrough"]),
    ],
    targets: [
        ffi,
        .target(name: "LicenseInventory", dependencies: ["LicenseInventoryFFI"], path: "Sources/LicenseInventory"),
        .executableTarget(name: "Walkthrough", dependencies: ["LicenseInventory"], path: "Sources/Walkthrough"),
        .testTarget(name: "LicenseInventoryTests", dependencies: ["LicenseInventory"]),
    ]
)
