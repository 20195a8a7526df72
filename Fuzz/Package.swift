// swift-tools-version:6.0
// libFuzzer targets for what Backprop reads from outside: model files (through the Swift loader
// and through the C entry points of libbackprop), pipeline JSON, and CSV ingest. Built only by
// scripts/fuzz, with -sanitize=fuzzer,address (see there); never part of a normal build.
import PackageDescription

let package = Package(
    name: "backprop-fuzz",
    dependencies: [
        .package(name: "Backprop", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "BackpropFuzz",
            dependencies: [
                .product(name: "Backprop", package: "Backprop"),
                .product(name: "backprop", package: "Backprop"),
            ],
            path: "Sources/BackpropFuzz"
        ),
    ]
)
