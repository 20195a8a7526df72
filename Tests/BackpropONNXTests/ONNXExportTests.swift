import Backprop
@testable import BackpropONNX
import BackpropNumerics
import FoundationEssentials
import XCTest

/// A transform ONNX has no equivalent for (as a plugin's would be).
private struct OpaqueTransform: FittedTransform {
    static let kind = "test_opaque"
    init() {}
    init(state: [String: JSONValue]) throws {}
    var state: [String: JSONValue] { [:] }
    func apply(to data: Dataset) throws -> Dataset { data }
}

/// The ONNX graph's shape and contents; ONNX Runtime's numbers are checked by scripts/test-python.
final class ONNXExportTests: XCTestCase {
    /// Inputs a (numeric, standardized), rank (categorical 1…4, one-hot), b (numeric, min-max);
    /// a 6-3-2 network: leaky ReLU hidden layer with biases, softmax output without.
    func makeModel(extra: [any FittedTransform] = [], inputs: [String] = ["a", "rank", "b"]) throws -> TrainedModel {
        let first = DenseLayer(weights: Matrix(rows: 6, columns: 3, values: (0..<18).map { Double($0) / 10 }),
                               bias: [0.1, -0.2, 0.3], activation: .leakyRelu)
        let second = DenseLayer(weights: Matrix(rows: 3, columns: 2, values: [1, -1, 0.5, 0.25, -2, 2]),
                                bias: nil, activation: .softmax)
        let preprocessing: [any FittedTransform] = [
            try StandardizeTransform(state: ["column": .string("a"), "mean": .number(600), "std": .number(115.3)]),
            try MinMaxTransform(state: ["column": .string("b"), "min": .number(2.26), "max": .number(4)]),
            try OneHotTransform(state: ["column": .string("rank"), "categories": .array(["1", "2", "3", "4"].map { .string($0) })]),
        ] + extra
        return TrainedModel(
            inputs: [ModelInput(name: inputs[0], categorical: false), ModelInput(name: inputs[1], categorical: true),
                     ModelInput(name: inputs[2], categorical: false)],
            preprocessing: preprocessing, features: ["a", "rank_1", "rank_2", "rank_3", "rank_4", "b"],
            target: "y", network: Network(layers: [first, second]), training: [:])
    }

    func testPinsTheVersionsAndNamesTheInputsAndOutputAsTheModelDoes() throws {
        let data = try ONNXExport.serialized(makeModel())
        let proto = try Onnx_ModelProto(serializedBytes: data)
        XCTAssertEqual(proto.irVersion, 8)
        XCTAssertEqual(proto.opsetImport.map(\.version), [17])
        XCTAssertEqual(proto.opsetImport.map(\.domain), [""])
        XCTAssertEqual(proto.graph.input.map(\.name), ["a", "rank", "b"])
        XCTAssertEqual(proto.graph.output.map(\.name), ["y"])
        let output = proto.graph.output[0].type.tensorType
        XCTAssertEqual(output.elemType, 11, "float64")
        XCTAssertEqual(output.shape.dim.map(\.dimParam), ["N", ""])
        XCTAssertEqual(output.shape.dim.map(\.dimValue), [0, 2])
        XCTAssertTrue(proto.graph.input.allSatisfy { $0.type.tensorType.elemType == 11 && $0.type.tensorType.shape.dim.count == 2 })
        XCTAssertTrue(proto.graph.initializer.allSatisfy { $0.dataType == 11 })
        let entries = Dictionary(uniqueKeysWithValues: proto.metadataProps.map { ($0.key, $0.value) })
        XCTAssertEqual(entries["backprop.categories.rank"], "1=1,2=2,3=3,4=4")
    }

    func testHoldsTheWholeRawRowPathInOrder() throws {
        let proto = try ONNXExport.modelProto(makeModel())
        let ops = proto.graph.node.map(\.opType)
        XCTAssertEqual(Array(ops.prefix(4)), ["Sub", "Div", "Sub", "Div"], "standardize a, then min-max b")
        XCTAssertEqual(ops.filter { $0 == "Equal" }.count, 4, "one indicator per rank category")
        XCTAssertEqual(ops.filter { $0 == "Cast" }.count, 4)
        XCTAssertEqual(Array(ops.suffix(8)), ["Concat", "MatMul", "Add", "Mul", "Max", "MatMul", "Softmax", "Identity"])
        XCTAssertEqual(proto.graph.node.last?.output, ["y"])
        // The scalars carry the fitted values exactly; the weights keep their [inputs, outputs] layout.
        let doubles = proto.graph.initializer.filter { $0.dims.isEmpty }.flatMap(\.doubleData)
        XCTAssertTrue(doubles.contains(600) && doubles.contains(115.3) && doubles.contains(2.26) && doubles.contains(4 - 2.26))
        XCTAssertTrue(doubles.contains(Activation.leakySlope), "the leaky slope as float64, not LeakyRelu's float32 alpha")
        let weights = try XCTUnwrap(proto.graph.initializer.first { $0.dims == [6, 3] })
        XCTAssertEqual(weights.doubleData, (0..<18).map { Double($0) / 10 })
    }

    func testAStepWithoutAnONNXEquivalentIsAnErrorNamingIt() throws {
        XCTAssertThrowsError(try ONNXExport.serialized(makeModel(extra: [OpaqueTransform()]))) { error in
            let error = error as? BackpropError
            XCTAssertEqual(error?.category, .model)
            XCTAssertTrue(error?.message.contains("preprocessing step 4 (test_opaque)") ?? false, error?.message ?? "")
        }
    }

    func testOneHotOfARescaledColumnIsRefused() throws {
        let rescaled = try StandardizeTransform(state: ["column": .string("rank"), "mean": .number(0), "std": .number(1)])
        var model = try makeModel()
        model.inputs[1].categorical = false
        model.preprocessing.insert(rescaled, at: 0)
        XCTAssertThrowsError(try ONNXExport.serialized(model)) { error in
            XCTAssertTrue((error as? BackpropError)?.message.contains("after rescaling it") ?? false, "\(error)")
        }
    }

    func testNamesTheExportKeepsForItselfAreRefused() throws {
        XCTAssertThrowsError(try ONNXExport.serialized(makeModel(inputs: ["a", "_bp_rank", "b"]))) { error in
            XCTAssertTrue((error as? BackpropError)?.message.contains("'_bp_rank'") ?? false, "\(error)")
        }
    }
}
