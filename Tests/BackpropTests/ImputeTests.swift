import Backprop
import BackpropNumerics
import FoundationEssentials
import XCTest

/// Impute: fills fitted on the training rows, saved in the model, applied to missing inputs
/// by prediction (NaN in a row of doubles, an empty field in CSV).
final class ImputeTests: XCTestCase {
    private let nan = Double.nan

    func testFillsByHand() throws {
        let x = Column(name: "x", values: .numeric([1, nan, 3, 10, nan]))
        func fill(_ strategy: String, rows: [Int] = [0, 1, 2, 3, 4], constant: JSONValue? = nil) throws -> ImputeTransform.Fill {
            try ImputeTransform(fitting: x, rows: rows, strategy: strategy, constant: constant, indicator: false).fill
        }
        XCTAssertEqual(try fill("mean"), .number(14.0 / 3))
        XCTAssertEqual(try fill("median"), .number(3), "GSL's median of 1, 3, 10")
        XCTAssertEqual(try fill("median", rows: [0, 2, 3, 1]), .number(3))
        XCTAssertEqual(try fill("median", rows: [0, 2]), .number(2), "the mean of the two middle values")
        XCTAssertEqual(try fill("mean", rows: [0, 1, 2]), .number(2), "fitted on the given rows only")
        XCTAssertEqual(try fill("constant", constant: .number(-1)), .number(-1))
        let counts = Column(name: "c", values: .numeric([5, 2, 5, 2, 1, nan]))
        XCTAssertEqual(try ImputeTransform(fitting: counts, rows: Array(0..<6), strategy: "most_frequent", constant: nil, indicator: false).fill,
                       .number(2), "a tie goes to the smallest value, as scikit-learn")
        let colour = Column(name: "colour", values: .categorical(["red", "", "blue", "red"]))
        XCTAssertEqual(try ImputeTransform(fitting: colour, rows: [0, 1, 2, 3], strategy: "mean", constant: nil, indicator: false).fill,
                       .label("red"), "categorical columns take their most frequent label")
        XCTAssertThrowsError(try fill("mean", rows: [1, 4])) { XCTAssertTrue("\($0)".contains("has no value in the 2 fitting rows"), "\($0)") }
    }

    func testApplyFillsAndAddsTheIndicatorAfterTheColumn() throws {
        let data = Dataset(source: "s.csv", features: [
            Column(name: "x", values: .numeric([1, nan, 3])), Column(name: "colour", values: .categorical(["red", "", "blue"])),
        ], target: Column(name: "y", values: .numeric([0, 1, 0])), rowIDs: [0, 1, 2])
        let x = try ImputeTransform(fitting: data.features[0], rows: [0, 1, 2], strategy: "mean", constant: nil, indicator: true)
        let colour = try ImputeTransform(fitting: data.features[1], rows: [0, 1, 2], strategy: "constant", constant: .string("none"), indicator: false)
        let filled = try colour.apply(to: x.apply(to: data))
        XCTAssertEqual(filled.featureNames, ["x", "x_missing", "colour"])
        XCTAssertEqual(x.outputColumns(from: data.featureNames), ["x", "x_missing", "colour"])
        XCTAssertEqual(filled.features[0].numbers, [1, 2, 3])
        XCTAssertEqual(filled.features[1].numbers, [0, 1, 0])
        XCTAssertEqual(filled.features[2].values, .categorical(["red", "none", "blue"]))
        XCTAssertEqual(try ImputeTransform(state: x.state), x)
        XCTAssertEqual(try ImputeTransform(state: colour.state), colour)
    }

    /// Trains impute → normalize → train on rows with missing values, saves the model, and
    /// predicts rows whose missing inputs are NaN (C ABI path) and empty CSV fields.
    func testTheModelImputesMissingInputsAtPrediction() throws {
        let xs: [Double] = (0..<40).map { $0 % 7 == 3 ? nan : Double($0) / 10 }
        let labels = (0..<40).map { $0 % 5 == 1 ? "" : ($0 % 2 == 0 ? "a" : "b") }
        var context = PipelineContext(log: { _ in })
        context.data = Dataset(source: "t.csv", features: [
            Column(name: "x", values: .numeric(xs)), Column(name: "group", values: .categorical(labels)),
        ], target: Column(name: "y", values: .numeric((0..<40).map { $0 >= 20 ? 1 : 0 })), rowIDs: Array(0..<40))
        context.rawInputs = [ModelInput(name: "x", categorical: false), ModelInput(name: "group", categorical: true)]
        context.split = DataSplit(train: Array(0..<30), test: Array(30..<40))
        let file = URL(fileURLWithPath: "/tmp/p.json")
        func parameters(_ kind: String, _ fields: [String: JSONValue]) -> StageParameters {
            StageParameters(index: 0, kind: kind, fields: fields, pipelineFile: file, derivedSeed: 1)
        }
        var p = parameters("impute", ["strategy": .string("median"), "indicator": .bool(true)])
        try ImputeStage(parameters: &p).run(&context)
        p = parameters("normalize", ["standardize": .array([.string("x")]), "one_hot": .string("categorical")])
        try NormalizeStage(parameters: &p).run(&context)
        p = parameters("train", ["hidden": .array([.number(3)]), "epochs": .number(30), "learning_rate": .number(0.5)])
        try TrainStage(parameters: &p).run(&context)
        let model = try ModelFile.decode(ModelFile.encode(try XCTUnwrap(context.model)))
        XCTAssertEqual(model.features, ["x", "x_missing", "group_a", "group_b", "group_missing"])
        XCTAssertEqual(model.imputedInputs, [0, 1])
        let median = try XCTUnwrap(model.preprocessing.first as? ImputeTransform)
        let trainX = (0..<30).map { xs[$0] }.filter { !$0.isNaN }.sorted()
        XCTAssertEqual(trainX.count, 26)
        XCTAssertEqual(median.fill, .number((trainX[12] + trainX[13]) / 2), "the median of the training rows' 26 values")

        // A row of doubles with NaN (the C ABI's missing value) predicts as the row filled by hand.
        let predictor = ModelPredictor(model: model)
        func predict(_ raw: [Double]) throws -> Double {
            var out = [0.0]
            try raw.withUnsafeBufferPointer { raw in try out.withUnsafeMutableBufferPointer { try predictor.predict(raw: raw, rowCount: 1, into: $0) } }
            return out[0]
        }
        guard case .number(let fill) = median.fill else { return XCTFail("numeric fill") }
        let missing = try predict([nan, 0])
        let byHand = try model.predict(raw: Dataset(source: "r", features: [
            Column(name: "x", values: .numeric([fill])), Column(name: "group", values: .categorical(["a"])),
        ], target: Column(name: "y", values: .numeric([0])), rowIDs: [0]))
        XCTAssertNotEqual(missing, byHand.values[0], "the indicator makes a missing x differ from the fill value")
        let standardize = try XCTUnwrap(model.preprocessing.compactMap { $0 as? StandardizeTransform }.first)
        let features: [Double] = [(fill - standardize.mean) / standardize.standardDeviation, 1, 1, 0, 0]
        XCTAssertEqual(missing, model.network.predict(Matrix(rows: 1, columns: 5, values: features)).values[0], accuracy: 1e-12)
        XCTAssertThrowsError(try predict([.infinity, 0]), "infinity is never missing")

        // CSV: an empty field or NA is missing for an imputed input.
        let table = try CSVReader.parse(Data("x,group\n,a\nNA,\n0.5,b\n".utf8), name: "rows.csv")
        let fromCSV = try model.predict(raw: model.rawDataset(table: table, source: "rows.csv"))
        XCTAssertEqual(fromCSV.values[0], missing, accuracy: 1e-12)
        XCTAssertEqual(model.withoutMissingInputs(table).kept, [0, 1, 2], "imputed inputs never make a row skipped")
    }

    /// A numeric impute compiles into the fast raw-row path, which agrees with the generic one.
    func testANumericImputeCompilesAndAgreesWithTheGenericPath() throws {
        var context = PipelineContext(log: { _ in })
        let xs: [Double] = (0..<30).map { $0 % 4 == 0 ? nan : Double($0) }
        context.data = Dataset(source: "t.csv", features: [Column(name: "x", values: .numeric(xs)), Column(name: "z", values: .numeric((0..<30).map { Double($0 % 3) }))],
                               target: Column(name: "y", values: .numeric((0..<30).map { Double($0 % 2) })), rowIDs: Array(0..<30))
        context.rawInputs = [ModelInput(name: "x", categorical: false), ModelInput(name: "z", categorical: false)]
        let file = URL(fileURLWithPath: "/tmp/p.json")
        var p = StageParameters(index: 0, kind: "impute", fields: ["columns": .array([.string("x")]), "indicator": .bool(true)], pipelineFile: file, derivedSeed: 1)
        try ImputeStage(parameters: &p).run(&context)
        p = StageParameters(index: 1, kind: "normalize", fields: ["standardize": .string("numeric")], pipelineFile: file, derivedSeed: 1)
        try NormalizeStage(parameters: &p).run(&context)
        p = StageParameters(index: 2, kind: "train", fields: ["hidden": .array([.number(2)]), "epochs": .number(5), "learning_rate": .number(0.3)], pipelineFile: file, derivedSeed: 1)
        try TrainStage(parameters: &p).run(&context)
        let model = try XCTUnwrap(context.model)
        XCTAssertEqual(model.features, ["x", "x_missing", "z"])
        let predictor = ModelPredictor(model: model)
        XCTAssertTrue(predictor.isCompiled, "impute of a raw numeric column takes the fast path")
        let raw: [Double] = [nan, 1, 5, 2, nan, 0]
        var fast = [0.0, 0, 0]
        try raw.withUnsafeBufferPointer { raw in try fast.withUnsafeMutableBufferPointer { try predictor.predict(raw: raw, rowCount: 3, into: $0) } }
        let generic = try raw.withUnsafeBufferPointer { try model.predict(raw: model.rawDataset(values: $0, rowCount: 3)) }
        assertClose(fast, generic.values, tolerance: 1e-12, "fast and generic paths")
        var single = [0.0]
        try raw.withUnsafeBufferPointer { raw in try single.withUnsafeMutableBufferPointer { try predictor.predictRow(raw: raw.baseAddress!, into: $0.baseAddress!) } }
        XCTAssertEqual(single[0], generic.values[0], accuracy: 1e-12)
        XCTAssertThrowsError(try [1.0, nan].withUnsafeBufferPointer { raw in
            try fast.withUnsafeMutableBufferPointer { try predictor.predict(raw: raw, rowCount: 1, into: UnsafeMutableBufferPointer(rebasing: $0[0..<1])) }
        }, "z is not imputed: NaN is an error there")
    }

    func testBadImputeFieldsAreOneClearLine() {
        func message(_ fields: [String: JSONValue]) -> String {
            var p = StageParameters(index: 1, kind: "impute", fields: fields, pipelineFile: URL(fileURLWithPath: "p.json"), derivedSeed: 0)
            do { _ = try ImputeStage(parameters: &p); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(["strategy": .string("mode")]).contains("field 'strategy': expected one of mean, median, most_frequent, constant"))
        XCTAssertTrue(message(["strategy": .string("constant")]).contains("field 'fill_value'"))
        XCTAssertTrue(message(["fill_value": .number(0)]).contains("field 'fill_value': only used with"))
        XCTAssertTrue(message(["columns": .string("some")]).contains("field 'columns'"))
    }
}
