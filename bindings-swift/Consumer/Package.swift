// swift-tools-version:5.9
// A package that uses LicenseInventory as any other package would: a dependency by path here, a
// versioned one (`.package(url: …, from: "0.1.0")`) in an application. scripts/test-swift.sh
// builds and runs it.
import PackageDescription

let package = Package(
    name: "Consumer",
    platforms: [.macOS(.v10_15), .iOS(.v13)],
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "Consumer",
            dependencies: [.product(name: "LicenseInventory", package: "bindings-swift")],
            path: "Sources/Consumer"
        ),
    ]
)
