import Backprop
import BackpropNumerics
import Foundation
import XCTest

/// A transform the compiled path does not know (as a plugin's would be): doubles a column.
private struct DoubleColumnTransform: FittedTransform {
    static let kind = "test_double"
    let column: String
    init(column: String) { self.column = column }
    init(state: [String: JSONValue]) throws {
        guard case .string(let c)? = state["column"] else { throw BackpropError(.model, "no column") }
        column = c
    }
    var state: [String: JSONValue] { ["column": .string(column)] }
    func apply(to data: Dataset) throws -> Dataset {
        var result = data
        let index = try XCTUnwrap(data.featureIndex(named: column))
        result.features[index].values = .numeric(data.features[index].numbers!.map { 2 * $0 })
        return result
    }
}

/// The compiled row predictor against the generic `TrainedModel.predict(raw:)` path.
final class ModelPredictorTests: XCTestCase {
    /// A seeded model: inputs a (numeric), rank (categorical 1…4), b (numeric), with
    /// standardize(a), min_max(b), one_hot(rank), and a 6-5-4-3 network with biases.
    func makeModel(
        extra: [any FittedTransform] = [], categories: [String] = ["1", "2", "3", "4"], output: Activation = .sigmoid
    ) -> TrainedModel {
        let generator = RandomGenerator(seed: 7)
        let features = ["a"] + categories.map { "rank_\($0)" } + ["b"]
        var network = Network(
            sizes: [features.count, 5, 4, 3], activations: [.tanh, .relu, output], bias: true,
            initialization: [.normal, .normal, .normal], generator: generator)
        for l in network.layers.indices {
            network.layers[l].bias = (0..<network.layers[l].outputCount).map { _ in generator.gaussian(standardDeviation: 0.5) }
        }
        let preprocessing: [any FittedTransform] = [
            try! StandardizeTransform(state: ["column": .string("a"), "mean": .number(600), "std": .number(115.3)]),
            try! MinMaxTransform(state: ["column": .string("b"), "min": .number(2.26), "max": .number(4)]),
            try! OneHotTransform(state: ["column": .string("rank"), "categories": .array(categories.map { .string($0) })]),
        ] + extra
        return TrainedModel(
            inputs: [ModelInput(name: "a", categorical: false), ModelInput(name: "rank", categorical: true), ModelInput(name: "b", categorical: false)],
            preprocessing: preprocessing, features: features, target: "y", network: network, training: [:])
    }

    /// `count` random raw rows; the rank column holds one of `codes`.
    func randomRows(_ count: Int, codes: [Double]) -> [Double] {
        let generator = RandomGenerator(seed: 11)
        return (0..<count).flatMap { row -> [Double] in
            [500 + 150 * generator.gaussian(standardDeviation: 1), codes[row % codes.count], 3 + generator.gaussian(standardDeviation: 0.4)]
        }
    }

    func predict(_ predictor: ModelPredictor, raw: [Double]) throws(PredictionError) -> [Double] {
        let rows = raw.count / predictor.inputCount
        var output = [Double](repeating: 0, count: rows * predictor.outputCount)
        try raw.withUnsafeBufferPointer { input throws(PredictionError) in
            try output.withUnsafeMutableBufferPointer { out throws(PredictionError) in
                try predictor.predict(raw: input, rowCount: rows, into: out)
            }
        }
        return output
    }

    func generic(_ model: TrainedModel, raw: [Double]) throws -> [Double] {
        let rows = raw.count / model.inputs.count
        return try raw.withUnsafeBufferPointer { try model.predict(raw: model.rawDataset(values: $0, rowCount: rows)).values }
    }

    func assertClose(_ a: [Double], _ b: [Double], tolerance: Double = 1e-12, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) where !(abs(x - y) <= tolerance) {
            XCTFail("\(x) differs from \(y) by more than \(tolerance)", file: file, line: line)
            return
        }
    }

    func testCompiledPathMatchesTheGenericPathOnManyRows() throws {
        let model = makeModel()
        let predictor = ModelPredictor(model: model)
        XCTAssertTrue(predictor.isCompiled)
        XCTAssertEqual(predictor.outputCount, 3)
        let raw = randomRows(500, codes: [1, 2, 3, 4])
        let fast = try predict(predictor, raw: raw)
        assertClose(fast, try generic(model, raw: raw))
        // Not trivially constant: the rows give different outputs.
        XCTAssertGreaterThan(Set(fast).count, 100)
    }

    func testSoftmaxOutputsMatchTheGenericPath() throws {
        let model = makeModel(output: .softmax)
        let predictor = ModelPredictor(model: model)
        XCTAssertTrue(predictor.isCompiled)
        let raw = randomRows(200, codes: [1, 2, 3, 4])
        let fast = try predict(predictor, raw: raw)
        assertClose(fast, try generic(model, raw: raw))
        for row in 0..<200 { XCTAssertEqual(fast[(row * 3)..<(row * 3 + 3)].reduce(0, +), 1, accuracy: 1e-12) }
    }

    func testSingleRowsEqualTheBatch() throws {
        let predictor = ModelPredictor(model: makeModel())
        let raw = randomRows(20, codes: [1, 2, 3, 4])
        let batch = try predict(predictor, raw: raw)
        let single = try (0..<20).flatMap { row in try predict(predictor, raw: Array(raw[(row * 3)..<(row * 3 + 3)])) }
        XCTAssertEqual(batch, single)
    }

    func testPredictRowEqualsTheBatchPathWithTheSameErrors() throws {
        for model in [makeModel(), makeModel(output: .softmax), makeModel(extra: [DoubleColumnTransform(column: "b")])] {
            let predictor = ModelPredictor(model: model)
            // (Against one-row batches: the generic path's BLAS rounds a 20-row batch otherwise.)
            var raw = randomRows(20, codes: [1, 2, 3, 4])
            for row in 0..<20 {
                var one = [Double](repeating: 0, count: 3)
                try raw.withUnsafeBufferPointer { input in
                    try one.withUnsafeMutableBufferPointer { try predictor.predictRow(raw: input.baseAddress! + row * 3, into: $0.baseAddress!) }
                }
                XCTAssertEqual(one, try predict(predictor, raw: Array(raw[(row * 3)..<(row * 3 + 3)])))
            }
            // Features: the same as the batch feature path.
            let features = (0..<(6 * 4)).map { Double($0 % 5) - 2 }
            var batchOut = [Double](repeating: 0, count: 4 * 3)
            try features.withUnsafeBufferPointer { input in
                try batchOut.withUnsafeMutableBufferPointer { try predictor.predict(features: input, rowCount: 4, into: $0) }
            }
            for row in 0..<4 {
                var one = [Double](repeating: 0, count: 3)
                try features.withUnsafeBufferPointer { input in
                    try one.withUnsafeMutableBufferPointer { try predictor.predictRow(features: input.baseAddress! + row * 6, into: $0.baseAddress!) }
                }
                XCTAssertEqual(one, Array(batchOut[(row * 3)..<(row * 3 + 3)]))
            }
            // Errors: the same as for a batch of one row, and the output untouched.
            for (column, value, expected) in [
                (1, 7.0, PredictionError?.none), (0, Double.nan, .notFinite(row: 0, input: "a")),
                (2, Double.infinity, .notFinite(row: 0, input: "b")),
            ] {
                let saved = raw[column]
                raw[column] = value
                var out = [Double](repeating: -42, count: 3)
                var singleError: PredictionError?
                do {
                    try raw.withUnsafeBufferPointer { input throws(PredictionError) in
                        try out.withUnsafeMutableBufferPointer { out throws(PredictionError) in try predictor.predictRow(raw: input.baseAddress!, into: out.baseAddress!) }
                    }
                } catch { singleError = error }
                var batchError: PredictionError?
                do { _ = try predict(predictor, raw: Array(raw[0..<3])) } catch { batchError = error }
                XCTAssertNotNil(singleError)
                XCTAssertEqual(singleError, batchError)
                if let expected { XCTAssertEqual(singleError, expected) }
                XCTAssertEqual(out, [-42, -42, -42])
                raw[column] = saved
            }
            var nanFeatures = features
            nanFeatures[3] = .nan
            var out = [Double](repeating: -42, count: 3)
            XCTAssertThrowsError(try nanFeatures.withUnsafeBufferPointer { input in
                try out.withUnsafeMutableBufferPointer { try predictor.predictRow(features: input.baseAddress!, into: $0.baseAddress!) }
            }) { XCTAssertEqual($0 as? PredictionError, .notFinite(row: 0, input: "rank_3")) }
            XCTAssertEqual(out, [-42, -42, -42])
        }
    }

    func testANaNInALaterRowIsReportedBeforeAnUnknownCategory() {
        let predictor = ModelPredictor(model: makeModel())
        var raw = randomRows(3, codes: [1, 2, 3, 4])
        raw[0 * 3 + 1] = 7
        raw[2 * 3 + 0] = .nan
        XCTAssertThrowsError(try predict(predictor, raw: raw)) {
            XCTAssertEqual($0 as? PredictionError, .notFinite(row: 2, input: "a"))
        }
    }

    func testTextCategoriesArePassedByPosition() throws {
        let model = makeModel(categories: ["high", "low", "mid"])
        XCTAssertEqual(model.categories(ofInput: 1).map(\.code), [0, 1, 2])
        let predictor = ModelPredictor(model: model)
        XCTAssertTrue(predictor.isCompiled)
        let raw = randomRows(30, codes: [0, 1, 2])
        assertClose(try predict(predictor, raw: raw), try generic(model, raw: raw))
    }

    func testAnUnknownTransformFallsBackToTheGenericPath() throws {
        let model = makeModel(extra: [DoubleColumnTransform(column: "b")])
        let predictor = ModelPredictor(model: model)
        XCTAssertFalse(predictor.isCompiled)
        let raw = randomRows(40, codes: [1, 2, 3, 4])
        let result = try predict(predictor, raw: raw)
        XCTAssertEqual(result, try generic(model, raw: raw))
        // The doubling matters: the model without it predicts otherwise.
        XCTAssertNotEqual(result, try predict(ModelPredictor(model: makeModel()), raw: raw))
    }

    func testUnknownCategoryAndNaNLeaveTheOutputUntouched() {
        for predictor in [ModelPredictor(model: makeModel()), ModelPredictor(model: makeModel(extra: [DoubleColumnTransform(column: "b")]))] {
            var raw = randomRows(3, codes: [1, 2, 3, 4])
            raw[2 * 3 + 1] = 7
            var output = [Double](repeating: -42, count: 9)
            XCTAssertThrowsError(try raw.withUnsafeBufferPointer { input in
                try output.withUnsafeMutableBufferPointer { try predictor.predict(raw: input, rowCount: 3, into: $0) }
            }) { error in
                guard case .unknownCategory(row: 2, input: "rank", value: 7, known: let known) = error as? PredictionError else {
                    return XCTFail("unexpected \(error)")
                }
                XCTAssertEqual(known.count, 4)
                XCTAssertTrue((error as! PredictionError).message.contains("unknown category 7"))
            }
            XCTAssertEqual(output, Array(repeating: -42, count: 9))
            raw[2 * 3 + 1] = 1
            raw[1 * 3 + 2] = .nan
            XCTAssertThrowsError(try raw.withUnsafeBufferPointer { input in
                try output.withUnsafeMutableBufferPointer { try predictor.predict(raw: input, rowCount: 3, into: $0) }
            }) { error in
                XCTAssertEqual(error as? PredictionError, .notFinite(row: 1, input: "b"))
            }
            XCTAssertEqual(output, Array(repeating: -42, count: 9))
        }
    }

    func testFeaturePathMatchesTheNetwork() throws {
        let model = makeModel()
        let predictor = ModelPredictor(model: model)
        let generator = RandomGenerator(seed: 3)
        let features = (0..<(25 * 6)).map { _ in generator.gaussian(standardDeviation: 1) }
        var output = [Double](repeating: 0, count: 25 * 3)
        try features.withUnsafeBufferPointer { input in
            try output.withUnsafeMutableBufferPointer { try predictor.predict(features: input, rowCount: 25, into: $0) }
        }
        assertClose(output, model.network.predict(Matrix(rows: 25, columns: 6, values: features)).values)
    }

    func testAModelFileRoundTripPredictsTheSame() throws {
        let model = makeModel()
        let decoded = try ModelFile.decode(ModelFile.encode(model))
        let raw = randomRows(50, codes: [1, 2, 3, 4])
        XCTAssertEqual(try predict(ModelPredictor(model: decoded), raw: raw), try predict(ModelPredictor(model: model), raw: raw))
    }
}
