// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Backprop",
    products: [
        // MARK: - Public API
        .library(name: "Backprop", targets: ["Backprop"]),
        .executable(name: "pipeline", targets: ["pipeline"]),
        // The C ABI (include/backprop.h); scripts/build-lib builds it self-contained.
        .library(name: "backprop", type: .dynamic, targets: ["BackpropC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // ONNX export only (BackpropONNX): the protobuf runtime for the generated onnx.pb.swift.
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // MARK: - C shims (system libraries)
        .systemLibrary(name: "CCSV", path: "Sources/CCSV"),
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        .systemLibrary(name: "CBackpropPlugin", path: "Sources/CBackpropPlugin"),
        // Decimal text to double (fast_float, header-only from libfast-float-dev), callable from Swift.
        .target(name: "CNumberParsing"),
        // libcsv's callbacks that build one CSV part's typed columns (numbers through CNumberParsing).
        .target(name: "CColumnBuilder", dependencies: ["CNumberParsing"]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // Open MPI through dlopen (loaded only under mpirun; no build-time dependency).
        .target(name: "CMPI", path: "Sources/CMPI"),

        // MARK: - Implementation
        // Vector kernels compiled per instruction set, chosen at load time (target_clones).
        .target(name: "CVectorKernels"),
        .target(name: "BackpropNumerics", dependencies: ["CGSL", "CVectorKernels"]),
        .target(name: "Backprop", dependencies: ["BackpropNumerics", "CCSV", "CNumberParsing", "CColumnBuilder", "CBackpropPlugin", "CMPI", "CZlib"]),
        .target(name: "BackpropC", dependencies: ["Backprop"], exclude: ["exports.map"]),
        // ONNX export of a model (`pipeline export --onnx`); its own target so that nothing else
        // links the protobuf runtime. proto/ holds onnx.proto, Generated/ the code made from it
        // by scripts/generate-onnx-proto.
        .target(
            name: "BackpropONNX",
            dependencies: ["Backprop", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["proto"]
        ),
        .executableTarget(
            name: "pipeline",
            dependencies: [
                "Backprop",
                "BackpropONNX",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tests
        .testTarget(name: "BackpropNumericsTests", dependencies: ["BackpropNumerics"]),
        .testTarget(name: "BackpropONNXTests", dependencies: ["BackpropONNX", "Backprop", "BackpropNumerics"]),
        .testTarget(name: "CNumberParsingTests", dependencies: ["CNumberParsing"]),
        .testTarget(
            name: "BackpropTests",
            dependencies: ["Backprop", "BackpropNumerics"],
            resources: [.copy("Fixtures")]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
