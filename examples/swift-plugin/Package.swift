// swift-tools-version:6.0
// A user's own package that adds a preprocessing stage to Backprop without forking it: it depends
// on the `Backprop` library product only (not the CLI, so swift-argument-parser is not built).
import PackageDescription

let package = Package(
    name: "swift-plugin-example",
    dependencies: [
        .package(name: "Backprop", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "swift-plugin-example",
            dependencies: [.product(name: "Backprop", package: "Backprop")],
            path: "Sources"
        ),
    ]
)
