import Backprop
import BackpropNumerics
import FoundationEssentials
import XCTest

/// What a user reads back: the evaluate stage's predictions file, the table `predict` prints,
/// and the training file's CSV dialect kept in the model.
final class PredictionOutputTests: XCTestCase {
    func testEvaluateWritesTheTestRowsWithIdTargetLabelAndProbabilities() throws {
        let folder = temporaryFolder(self)
        // Semicolons and single quotes; a 1/2-coded target.
        let rows = (0..<30).map { i in "\(i % 3 == 0 ? 2 : 1);'\(Double(i % 3 == 0 ? 2 : -2) + Double(i) / 100)'" }
        write("kind;x\n" + rows.joined(separator: "\n") + "\n", to: "data.csv", in: folder)
        let context = try runPipeline("""
            {"seed": 3, "stages": [
              {"stage": "ingest", "path": "data.csv", "target": "kind", "delimiter": ";", "quote": "'"},
              {"stage": "split", "train_rows": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23], "test_rows": [24, 25, 26]},
              {"stage": "train", "hidden": [], "loss": "binary_cross_entropy", "epochs": 200, "learning_rate": 0.5, "model": "m.json"},
              {"stage": "evaluate", "predictions": "p.csv"}
            ]}
            """, in: folder).get()
        let model = try XCTUnwrap(context.model)
        XCTAssertEqual(model.targetEncoding?.classes, ["1", "2"])
        let text = try String(contentsOf: folder.appendingPathComponent("p.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "row,kind,predicted,p_1,p_2")
        XCTAssertEqual(lines.count, 4)
        XCTAssertTrue(lines[1].hasPrefix("24,2,2,"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("25,1,1,"), lines[2])
        // The two probabilities of a row add up to 1 and match the model.
        let table = try CSVReader.parse(Data(text.utf8), name: "p.csv")
        for row in table.rows {
            let p0 = Double(row[3]!)!, p1 = Double(row[4]!)!
            XCTAssertEqual(p0 + p1, 1, accuracy: 1e-12)
        }
        // The model keeps the dialect.
        let restored = try ModelFile.load(folder.appendingPathComponent("m.json"))
        XCTAssertEqual(restored.sourceCSV?.delimiter, UInt8(ascii: ";"))
        XCTAssertEqual(restored.sourceCSV?.quote, UInt8(ascii: "'"))
    }

    func testPredictionFieldsForAClassifierAndAQuantity() {
        let layer = DenseLayerFactory.identity(inputs: 1, outputs: 1)
        var model = TrainedModel(inputs: [ModelInput(name: "x", categorical: false)], preprocessing: [], features: ["x"],
                                 target: "y", network: .init(layers: [layer]), training: [:])
        XCTAssertEqual(model.predictionHeader, ["predicted"])
        XCTAssertEqual(model.predictionFields([2.5]), ["2.5"])
        model.targetEncoding = TargetEncoding(classes: ["no", "yes"])
        XCTAssertEqual(model.predictionHeader, ["predicted", "p_no", "p_yes"])
        XCTAssertEqual(model.predictionFields([0.75]), ["yes", "0.25", "0.75"])
        XCTAssertEqual(model.predictionFields([0.5]), ["no", "0.5", "0.5"], "0.5 is not above the threshold")
    }

    func testCSVFieldsAreQuotedOnlyWhenNeeded() {
        XCTAssertEqual(CSVText.line(["a", "b,c", "say \"hi\"", " pad"]), "a,\"b,c\",\"say \"\"hi\"\"\",\" pad\"")
    }
}

/// Small networks for tests.
enum DenseLayerFactory {
    /// A layer with weights 1 and identity activation.
    static func identity(inputs: Int, outputs: Int) -> DenseLayer {
        DenseLayer(weights: .init(rows: inputs, columns: outputs, values: Array(repeating: 1, count: inputs * outputs)), bias: nil, activation: .identity)
    }
}
