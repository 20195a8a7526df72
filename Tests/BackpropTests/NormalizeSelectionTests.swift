import Backprop
import FoundationEssentials
import XCTest

/// Normalize: selectors instead of column lists, constant columns kept, unknown categories.
final class NormalizeSelectionTests: XCTestCase {
    /// y, two numeric columns (b constant over the training rows 0–2), one text column.
    private let csv = "y,a,b,colour,c\n0,1,5,red,7\n1,3,5,blue,7\n0,5,5,red,7\n1,7,9,green,8\n"

    func testNumericSelectorWithExceptAndCategoricalSelector() throws {
        let folder = temporaryFolder(self)
        write(csv, to: "data.csv", in: folder)
        let context = try runPipeline("""
            {"stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y", "categorical": ["colour"]},
              {"stage": "normalize", "standardize": "numeric", "except": ["c"], "one_hot": "categorical"}
            ]}
            """, in: folder).get()
        let standardized = context.preprocessing.compactMap { $0 as? StandardizeTransform }.map(\.column)
        XCTAssertEqual(standardized, ["a", "b"])
        XCTAssertEqual(context.data?.featureNames, ["a", "b", "colour_blue", "colour_green", "colour_red", "c"])
        XCTAssertEqual(context.data?.features[5].numbers, [7, 7, 7, 8], "c was left as it is")
    }

    func testConstantColumnsAreCentredWithScaleOneAndNamedInOneWarning() throws {
        let folder = temporaryFolder(self)
        write(csv, to: "data.csv", in: folder)
        let lines = LineSink()
        let context = try runPipeline("""
            {"stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y", "columns": ["a", "b", "c"]},
              {"stage": "split", "train_rows": [0, 1, 2], "test_rows": [3]},
              {"stage": "normalize", "standardize": ["a", "b"], "min_max": ["c"]}
            ]}
            """, in: folder, lines: lines).get()
        let warnings = lines.lines.filter { $0.hasPrefix("WARNING") }
        XCTAssertEqual(warnings, ["WARNING - 2 columns constant over the 3 fitting rows, kept centred with scale 1: b, c"])
        let b = try XCTUnwrap(context.preprocessing[1] as? StandardizeTransform)
        XCTAssertEqual(b.mean, 5)
        XCTAssertEqual(b.standardDeviation, 1)
        let c = try XCTUnwrap(context.preprocessing[2] as? MinMaxTransform)
        XCTAssertEqual(c.range, 1)
        XCTAssertEqual(context.data?.features[1].numbers, [0, 0, 0, 4], "b − 5, scale 1 (as scikit-learn)")
        XCTAssertEqual(context.data?.features[2].numbers, [0, 0, 0, 1], "c − 7, scale 1")
        // Saved and restored, the constant steps read back and predict alike.
        let restoredB = try StandardizeTransform(state: b.state)
        XCTAssertEqual(restoredB, b)
        XCTAssertEqual(try MinMaxTransform(state: c.state), c)
    }

    func testUnknownCategoryIsAnErrorByDefaultAndZerosWhenIgnored() throws {
        let column = Column(name: "colour", values: .categorical(["red", "blue", "green"]))
        let strict = OneHotTransform(fitting: column, rows: [0, 1])
        let lenient = OneHotTransform(fitting: column, rows: [0, 1], ignoreUnknown: true)
        let data = Dataset(source: "s.csv", features: [column], target: Column(name: "y", values: .numeric([0, 1, 0])), rowIDs: [0, 1, 2])
        XCTAssertThrowsError(try strict.apply(to: data)) { error in
            XCTAssertTrue("\(error)".contains("unknown category \"green\""), "\(error)")
            XCTAssertTrue("\(error)".contains("\"unknown\": \"ignore\""), "the message says how to allow it")
        }
        let encoded = try lenient.apply(to: data)
        XCTAssertEqual(encoded.features.map(\.numbers), [[0, 1, 0], [1, 0, 0]], "blue, red: green is all zeros")
        XCTAssertEqual(try OneHotTransform(state: lenient.state), lenient)
        XCTAssertEqual(try OneHotTransform(state: strict.state), strict)
    }

    func testUnknownIgnoredReachesTheModelAndItsRawRowPath() throws {
        let folder = temporaryFolder(self)
        write(csv, to: "data.csv", in: folder)
        let context = try runPipeline("""
            {"seed": 1, "stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y", "columns": ["a", "colour"], "categorical": ["colour"]},
              {"stage": "split", "train_rows": [0, 1, 2], "test_rows": [3]},
              {"stage": "normalize", "standardize": ["a"], "one_hot": ["colour"], "unknown": {"colour": "ignore"}},
              {"stage": "train", "hidden": [2], "epochs": 5, "learning_rate": 0.1}
            ]}
            """, in: folder).get()
        let model = try ModelFile.decode(ModelFile.encode(try XCTUnwrap(context.model)))
        let predictor = ModelPredictor(model: model)
        XCTAssertTrue(predictor.isCompiled)
        // colour: blue = 0, red = 1 (positions); 7 is no category, so its one-hot is all zeros.
        let raw: [Double] = [4, 7]
        var output = [0.0]
        try raw.withUnsafeBufferPointer { raw in
            try output.withUnsafeMutableBufferPointer { try predictor.predict(raw: raw, rowCount: 1, into: $0) }
        }
        let allZero = model.network.predict(.init(rows: 1, columns: 3, values: [(4 - 3) / 2, 0, 0]))
        XCTAssertEqual(output[0], allZero.values[0], accuracy: 1e-15)
        // The generic path agrees.
        let generic = try raw.withUnsafeBufferPointer { try model.predict(raw: model.rawDataset(values: $0, rowCount: 1)) }
        XCTAssertEqual(generic.values[0], allZero.values[0], accuracy: 1e-15)
    }

    func testBadSelectorsAreOneClearLine() {
        let folder = temporaryFolder(self)
        write(csv, to: "data.csv", in: folder)
        for (stage, expected) in [
            (#"{"stage": "normalize", "standardize": "all"}"#, #"stage 2 (normalize): field 'standardize': expected an array of column names or "numeric", got "all""#),
            (#"{"stage": "normalize", "standardize": ["a"], "except": ["b"]}"#, "field 'except': only used with a \"numeric\" or \"categorical\" selector"),
            (#"{"stage": "normalize", "one_hot": ["colour"], "unknown": "maybe"}"#, "field 'unknown': expected \"error\", \"ignore\""),
            (#"{"stage": "normalize", "one_hot": ["colour"], "unknown": {"a": "ignore"}}"#, "field 'unknown': column 'a' is not in one_hot"),
        ] {
            let result = runPipeline("""
                {"stages": [{"stage": "ingest", "path": "data.csv", "target": "y", "categorical": ["colour"]}, \(stage)]}
                """, in: folder)
            let message = expectFailure(result)?.message ?? ""
            XCTAssertTrue(message.contains(expected), message)
            XCTAssertFalse(message.contains("\n"))
        }
    }
}
