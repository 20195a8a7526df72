import Backprop
import Foundation
import XCTest

/// Every preprocessing stage passes `StageConformance.check`; a broken one does not.
final class StageConformanceTests: XCTestCase {
    /// Six rows: two numeric columns and a categorical one.
    let data = Dataset(
        source: "conformance",
        features: [
            Column(name: "gre", values: .numeric([380, 660, 800, 640, 520, 760])),
            Column(name: "gpa", values: .numeric([3.61, 3.67, 4.0, 3.19, 2.93, 3.0])),
            Column(name: "rank", values: .categorical(["3", "3", "1", "4", "4", "2"])),
        ],
        target: Column(name: "admit", values: .numeric([0, 1, 1, 1, 0, 1])),
        rowIDs: Array(0..<6))

    func testEveryBuiltInTransformStageConforms() throws {
        let configurations: [[String: JSONValue]] = [
            ["standardize": .array([.string("gre"), .string("gpa")])],
            ["min_max": .array([.string("gpa")])],
            ["one_hot": .array([.string("rank")])],
            ["standardize": .array([.string("gre")]), "min_max": .array([.string("gpa")]), "one_hot": .array([.string("rank")])],
        ]
        var checked = 0
        for stageType in StageRegistry.standard.stageTypes {
            guard stageType is NormalizeStage.Type else { continue }
            for fields in configurations {
                try StageConformance.check(try configured(NormalizeStage.self, fields), on: data, trainingRows: [0, 2, 3, 5])
                checked += 1
            }
        }
        XCTAssertEqual(checked, configurations.count, "normalize is registered and checked")
    }

    func testNormalizeSelectorsAndImputeConform() throws {
        let missing = Dataset(
            source: "conformance",
            features: [
                Column(name: "gre", values: .numeric([380, .nan, 800, 640, .nan, 760])),
                Column(name: "gpa", values: .numeric([3.61, 3.67, 4.0, 3.19, 2.93, 3.0])),
                Column(name: "rank", values: .categorical(["3", "", "1", "4", "4", ""])),
            ],
            target: data.target, rowIDs: Array(0..<6))
        for fields: [String: JSONValue] in [
            ["strategy": .string("mean")], ["strategy": .string("median"), "indicator": .bool(true)],
            ["strategy": .string("constant"), "fill_value": .number(0), "columns": .string("numeric")],
            ["strategy": .string("most_frequent"), "indicator": .bool(true), "columns": .array([.string("rank"), .string("gre")])],
        ] {
            try StageConformance.check(try configured(ImputeStage.self, fields), on: missing, trainingRows: [0, 1, 2, 3, 5])
        }
        for fields: [String: JSONValue] in [
            ["standardize": .string("numeric"), "one_hot": .string("categorical"), "unknown": .string("ignore")],
            ["min_max": .string("numeric"), "except": .array([.string("gpa")])],
        ] {
            try StageConformance.check(try configured(NormalizeStage.self, fields), on: data, trainingRows: [0, 2, 3, 5])
        }
    }

    func testClipPluginConforms() throws {
        unsetenv("BACKPROP_PLUGIN_PATH")
        let workspace = try PluginWorkspace()
        defer { workspace.remove() }
        let library = try workspace.buildClip()
        for scale in [true, false] {
            let stage = try configured(PluginStage.self, [
                "library": .string(library.path),
                "params": .object(["columns": .array([.string("gre"), .string("gpa")]), "scale": .bool(scale)]),
            ])
            try StageConformance.check(stage, on: data, trainingRows: [0, 2, 3, 5])
        }
    }

    /// A stage whose transform declares columns it does not produce fails the check.
    func testCheckRejectsWrongDeclaredColumns() throws {
        let stage = try configured(MislabelledStage.self, [:])
        XCTAssertBackpropError(["conformance of stage 'mislabelled'", "declared"]) {
            try StageConformance.check(stage, on: data)
        }
    }

    /// A stage whose transform is not registered cannot be restored from a model.
    func testCheckRejectsUnregisteredState() throws {
        var registry = StageRegistry.standard
        registry.register(MislabelledStage.self)
        let stage = try configured(DoublingStage.self, [:])
        XCTAssertBackpropError(["conformance of stage 'doubling'", "not registered"]) {
            try StageConformance.check(stage, on: data, registry: registry)
        }
    }
}

/// Renames `gre` to `GRE` but declares that columns come out unchanged.
private struct MislabelledStage: TransformStage {
    static let kind = "mislabelled"
    static let summary = "test stage"
    static let parameterHelp: [ParameterHelp] = []
    init(parameters: inout StageParameters) throws {}
    func fit(_ data: Dataset, rows: [Int]) throws -> [any FittedTransform] { [Rename(state: [:])] }

    struct Rename: FittedTransform {
        static let kind = "rename"
        init(state: [String: JSONValue]) {}
        var state: [String: JSONValue] { [:] }
        func apply(to data: Dataset) throws -> Dataset {
            var result = data
            result.features[0].name = "GRE"
            return result
        }
    }
}

/// Doubles `gre`, correctly, with a transform kind no registry knows.
private struct DoublingStage: TransformStage {
    static let kind = "doubling"
    static let summary = "test stage"
    static let parameterHelp: [ParameterHelp] = []
    init(parameters: inout StageParameters) throws {}
    func fit(_ data: Dataset, rows: [Int]) throws -> [any FittedTransform] { [Doubling(state: [:])] }

    struct Doubling: FittedTransform {
        static let kind = "doubling"
        init(state: [String: JSONValue]) {}
        var state: [String: JSONValue] { [:] }
        func apply(to data: Dataset) throws -> Dataset {
            var result = data
            result.features[0].values = .numeric(data.features[0].numbers!.map { $0 * 2 })
            return result
        }
    }
}
