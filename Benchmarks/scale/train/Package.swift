// swift-tools-version:6.0
import PackageDescription

// Training benchmarks for the scale data set: their own package, so benchmark code never
// reaches users of Backprop.
let package = Package(
    name: "ScaleTrainBenchmarks",
    dependencies: [.package(name: "Backprop", path: "../../..")],
    targets: [
        .executableTarget(name: "train-bench", dependencies: [.product(name: "Backprop", package: "Backprop")]),
    ]
)
