@testable import Backprop
import BackpropNumerics
import Foundation
import XCTest

/// The train and evaluate stages end to end on small CSV files written for each test: field
/// errors, softmax classes, the NaN stop, the report's gradient norms and the SVG, validate.
final class TrainingPipelineTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("bp-training-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Three separable classes in two features, 20 rows each, from a seeded generator.
        let g = RandomGenerator(seed: 42)
        var csv = "x,y,label\n"
        for row in 0..<60 {
            let label = row % 3
            let (cx, cy) = [(0.0, 0.0), (3.0, 0.0), (0.0, 3.0)][label]
            csv += "\(cx + g.gaussian(standardDeviation: 0.5)),\(cy + g.gaussian(standardDeviation: 0.5)),\(label)\n"
        }
        try csv.write(to: folder.appendingPathComponent("three.csv"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A pipeline over three.csv whose train stage has `train` fields (merged over defaults).
    private func pipeline(train: String, evaluate: String = #"{"stage": "evaluate", "report": "r.json", "plot": "p.svg"}"#) throws -> Pipeline {
        let hidden = train.contains(#""hidden""#) ? "" : #""hidden": [6], "#
        let json = """
            {"seed": 1, "stages": [
              {"stage": "ingest", "path": "three.csv", "target": "label"},
              {"stage": "split", "test_fraction": 0.25},
              {"stage": "train", \(hidden)"epochs": 200, "model": "m.json", \(train)},
              \(evaluate)
            ]}
            """
        let file = folder.appendingPathComponent("p.json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        return try Pipeline(contentsOf: file)
    }

    private func assertPipelineError(train: String, field: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try pipeline(train: train), file: file, line: line) { error in
            guard let error = error as? BackpropError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(error.category, .pipeline, file: file, line: line)
            XCTAssertTrue(error.message.contains("stage 3 (train): field '\(field)'"), error.message, file: file, line: line)
            XCTAssertFalse(error.message.contains("\n"), file: file, line: line)
        }
    }

    func testBadTrainFieldsNameStageAndField() {
        assertPipelineError(train: #""learning_rate": 0.1, "activation": ["relu", "tanh"]"#, field: "activation")
        assertPipelineError(train: #""learning_rate": 0.1, "activation": "softmax""#, field: "activation")
        assertPipelineError(train: #""learning_rate": 0.1, "optimizer": "sgd""#, field: "optimizer")
        assertPipelineError(train: #""learning_rate": 0.1, "momentum": 0.5"#, field: "momentum")
        assertPipelineError(train: #""learning_rate": 0.1, "patience": 5"#, field: "patience")
        assertPipelineError(train: #""learning_rate": 0.1, "l2": -1"#, field: "l2")
        assertPipelineError(train: #""learning_rate": 0.1, "validation_fraction": 1.5"#, field: "validation_fraction")
        assertPipelineError(train: #""learning_rate": 0.1, "loss": "cross_entropy", "output_activation": "sigmoid""#, field: "loss")
        assertPipelineError(train: #""learning_rate": 0.1, "init": ["he"]"#, field: "init")
    }

    func testSoftmaxLearnsThreeClassesAndSavesThem() throws {
        let context = try pipeline(train: #""learning_rate": 0.05, "activation": "tanh", "loss": "cross_entropy", "optimizer": "adam", "batch": 8, "validation_fraction": 0.2, "patience": 30"#)
            .run(log: { _ in })
        let evaluation = try XCTUnwrap(context.multiclassEvaluation)
        XCTAssertEqual(evaluation.classes, [0, 1, 2])
        XCTAssertGreaterThan(evaluation.accuracy, evaluation.baselineAccuracy + 0.3)
        let model = try ModelFile.load(folder.appendingPathComponent("m.json"))
        XCTAssertEqual(model.network.outputCount, 3)
        XCTAssertEqual(model.network.layers.last?.activation, .softmax)
        XCTAssertEqual(model.training["classes"], .array([.number(0), .number(1), .number(2)]))
        let probabilities = model.network.predict(Matrix(rows: 2, columns: 2, values: [0.1, -0.2, 1.5, 0.3]))
        for row in 0..<2 { XCTAssertEqual((0..<3).map { probabilities[row, $0] }.reduce(0, +), 1, accuracy: 1e-12) }
    }

    func testNonFiniteLossStopsWithEpochAndAdviceAndWritesNothing() throws {
        let p = try pipeline(train: #""learning_rate": 1e6, "output_activation": "identity", "activation": "relu", "init": "he""#, evaluate: #"{"stage": "split", "test_fraction": 0.5}"#)
        XCTAssertThrowsError(try p.run(log: { _ in })) { error in
            guard let error = error as? BackpropError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.category, .training)
            XCTAssertTrue(error.message.contains("at epoch "), error.message)
            XCTAssertTrue(error.message.contains("smaller learning_rate"), error.message)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.json").path))
    }

    func testReportHasGradientNormsPerLayerAndThePlotIsSVG() throws {
        // Binary target: label 0 against the rest, written as a second file.
        let text = try String(contentsOf: folder.appendingPathComponent("three.csv"), encoding: .utf8)
        let binary = text.split(separator: "\n").enumerated().map { index, line -> String in
            guard index > 0 else { return String(line) }
            var fields = line.split(separator: ",").map(String.init)
            fields[2] = fields[2] == "0" ? "1" : "0"
            return fields.joined(separator: ",")
        }.joined(separator: "\n") + "\n"
        try binary.write(to: folder.appendingPathComponent("three.csv"), atomically: true, encoding: .utf8)
        let context = try pipeline(train: #""learning_rate": 0.5, "hidden": [4, 4], "loss": "binary_cross_entropy", "validation_fraction": 0.2"#)
            .run(log: { _ in })
        XCTAssertNotNil(context.evaluation?.roc.area)
        let report = try JSONParser.parse(Data(contentsOf: folder.appendingPathComponent("r.json")))
        guard case .object(let top) = report, case .object(let training)? = top["training"],
              case .array(let records)? = training["records"], case .object(let first)? = records.first,
              case .array(let norms)? = first["gradient_norms"], case .object(let test)? = top["test"] else {
            return XCTFail("report layout: \(report)")
        }
        XCTAssertEqual(records.count, 10)
        XCTAssertEqual(norms.count, 3)
        XCTAssertNotEqual(first["validation_loss"], .null)
        for key in ["precision", "recall", "f1", "roc_auc", "roc_curve"] { XCTAssertNotNil(test[key], key) }
        let svg = try String(contentsOf: folder.appendingPathComponent("p.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        // Loss: training + validation; gradient norms: 3 layers; ROC: chance + model.
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2 + 3 + 2)
        XCTAssertFalse(svg.contains("nan"))
    }

    func testValidateFindsAMissingColumnAndABadOrder() throws {
        let p = try pipeline(train: #""learning_rate": 0.1"#)
        XCTAssertTrue(p.checks().allSatisfy(\.passed))
        let json = #"{"stages": [{"stage": "evaluate"}, {"stage": "ingest", "path": "three.csv", "target": "lable"}]}"#
        let file = folder.appendingPathComponent("bad.json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        let failures = try Pipeline(contentsOf: file).checks().filter { !$0.passed }.map(\.message)
        XCTAssertTrue(failures.contains { $0.contains("stage 1 (evaluate): no data yet") }, "\(failures)")
        XCTAssertTrue(failures.contains { $0.contains("stage 2 (ingest): field 'target': no column 'lable'") }, "\(failures)")
    }
}
