import Backprop
import BackpropNumerics
import FoundationEssentials
import XCTest

/// Targets as they come: two-valued and text classes, labels back, quantities standardized.
final class TargetEncodingTests: XCTestCase {
    /// 40 rows: x from −2 to 2; `kind` is 2 when x > 0 else 1 (a 1/2-coded binary target).
    private func binaryCSV() -> String {
        "kind,x\n" + (0..<40).map { i -> String in
            let x = -2 + Double(i) * 0.1
            return "\(x > 0 ? 2 : 1),\(x)"
        }.joined(separator: "\n") + "\n"
    }

    func testATwoValuedTargetTrainsWithTheSecondClassPositive() throws {
        let folder = temporaryFolder(self)
        write(binaryCSV(), to: "data.csv", in: folder)
        let lines = LineSink()
        let context = try runPipeline("""
            {"seed": 5, "stages": [
              {"stage": "ingest", "path": "data.csv", "target": "kind"},
              {"stage": "split", "test_fraction": 0.25},
              {"stage": "train", "hidden": [], "loss": "binary_cross_entropy", "epochs": 300, "learning_rate": 0.5, "model": "m.json"},
              {"stage": "evaluate"}
            ]}
            """, in: folder, lines: lines).get()
        XCTAssertTrue(lines.lines.contains("Target 'kind': classes 1, 2; the output is the probability of 2"), "\(lines.lines)")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(context.evaluation).accuracy, 0.9)
        let model = try ModelFile.load(folder.appendingPathComponent("m.json"))
        XCTAssertEqual(model.targetEncoding, TargetEncoding(classes: ["1", "2"]))
        XCTAssertEqual(model.targetEncoding?.positiveClass, "2")
        let text = try String(contentsOf: folder.appendingPathComponent("m.json"), encoding: .utf8)
        XCTAssertTrue(text.contains("\"positive_class\": \"2\""), "the model states its positive class")
        // A large x is class 2: its probability is high and its label is "2".
        let p = try model.predict(raw: Dataset(source: "raw", features: [Column(name: "x", values: .numeric([1.5, -1.5]))],
                                               target: Column(name: "kind", values: .numeric([0, 0])), rowIDs: [0, 1]))
        XCTAssertEqual(model.targetEncoding?.label(of: [p.values[0]]), "2")
        XCTAssertEqual(model.targetEncoding?.label(of: [p.values[1]]), "1")
    }

    func testANamedPositiveClassFlipsTheOutput() throws {
        let folder = temporaryFolder(self)
        write(binaryCSV(), to: "data.csv", in: folder)
        let context = try runPipeline("""
            {"seed": 5, "stages": [
              {"stage": "ingest", "path": "data.csv", "target": "kind"},
              {"stage": "train", "hidden": [], "epochs": 10, "learning_rate": 0.5, "positive_class": "1"}
            ]}
            """, in: folder).get()
        XCTAssertEqual(context.model?.targetEncoding?.classes, ["2", "1"])
    }

    func testTextClassesWithSoftmaxComeBackAsLabels() throws {
        // Three text classes by the sign and size of x.
        let xs = (0..<60).map { -3 + Double($0) * 0.1 }
        let labels = xs.map { $0 < -1 ? "Adelie Penguin" : $0 < 1 ? "Chinstrap" : "Gentoo" }
        var context = PipelineContext(log: { _ in })
        context.data = Dataset(source: "t.csv", features: [Column(name: "x", values: .numeric(xs))],
                               target: Column(name: "species", values: .categorical(labels)), rowIDs: Array(0..<60))
        context.rawInputs = [ModelInput(name: "x", categorical: false)]
        context.split = DataSplit(train: Array(stride(from: 0, to: 60, by: 2)) + Array(stride(from: 1, to: 60, by: 4)),
                                  test: Array(stride(from: 3, to: 60, by: 4)))
        var p = StageParameters(index: 0, kind: "train", fields: [
            "hidden": .array([.number(6)]), "activation": .string("tanh"), "loss": .string("cross_entropy"),
            "optimizer": .string("adam"), "epochs": .number(400), "learning_rate": .number(0.05),
        ], pipelineFile: URL(fileURLWithPath: "/tmp/p.json"), derivedSeed: 3)
        try TrainStage(parameters: &p).run(&context)
        var e = StageParameters(index: 1, kind: "evaluate", fields: [:], pipelineFile: URL(fileURLWithPath: "/tmp/p.json"), derivedSeed: 0)
        try EvaluateStage(parameters: &e).run(&context)
        let model = try ModelFile.decode(ModelFile.encode(try XCTUnwrap(context.model)))
        XCTAssertEqual(model.targetEncoding?.classes, ["Adelie Penguin", "Chinstrap", "Gentoo"])
        XCTAssertEqual(model.outputNames, ["species_Adelie Penguin", "species_Chinstrap", "species_Gentoo"])
        XCTAssertNil(model.training["classes"], "text classes are not written as numbers")
        let evaluation = try XCTUnwrap(context.multiclassEvaluation)
        XCTAssertEqual(evaluation.labels, ["Adelie Penguin", "Chinstrap", "Gentoo"])
        XCTAssertGreaterThan(evaluation.accuracy, 0.8)
        let out = model.network.predict(Matrix(rows: 1, columns: 1, values: [2.5]))
        XCTAssertEqual(model.targetEncoding?.label(of: out.values), "Gentoo")
    }

    func testTargetsThatDoNotFitTheOutputSayWhatToSet() {
        let three = Column(name: "y", values: .categorical(["a", "b", "c", "a"]))
        XCTAssertThrowsError(try TargetEncoding.fit(three, rows: [0, 1, 2, 3], output: .sigmoid, positive: nil)) {
            XCTAssertTrue("\($0)".contains("\"loss\": \"cross_entropy\""), "\($0)")
        }
        let quantity = Column(name: "y", values: .numeric([1.5, 20, 3.25]))
        XCTAssertThrowsError(try TargetEncoding.fit(quantity, rows: [0, 1, 2], output: .sigmoid, positive: nil)) {
            XCTAssertTrue("\($0)".contains("\"output_activation\": \"identity\""), "\($0)")
        }
        XCTAssertThrowsError(try TargetEncoding.fit(three, rows: [0, 1, 2], output: .identity, positive: nil)) {
            XCTAssertTrue("\($0)".contains("cross_entropy"), "\($0)")
        }
        let two = Column(name: "y", values: .categorical(["no", "yes", "no"]))
        XCTAssertThrowsError(try TargetEncoding.fit(two, rows: [0, 1, 2], output: .sigmoid, positive: "maybe")) {
            XCTAssertTrue("\($0)".contains("positive_class \"maybe\" is not a class"), "\($0)")
        }
        XCTAssertEqual(try TargetEncoding.fit(two, rows: [0, 1, 2], output: .sigmoid, positive: nil)?.classes, ["no", "yes"])
        XCTAssertNil(try TargetEncoding.fit(Column(name: "p", values: .numeric([0.2, 0.7, 0.9])), rows: [0, 1, 2], output: .sigmoid, positive: nil),
                     "probabilities from 0 to 1 are learnt as they are")
    }

    func testAStandardizedQuantityTargetPredictsInOriginalUnits() throws {
        // y = 1000 + 500·x: plain gradient descent on raw y would need a tiny rate; standardized it is easy.
        let folder = temporaryFolder(self)
        write("y,x\n" + (0..<40).map { "\(1000 + 500 * (Double($0) / 20 - 1)),\(Double($0) / 20 - 1)" }.joined(separator: "\n") + "\n", to: "data.csv", in: folder)
        let context = try runPipeline("""
            {"seed": 2, "stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y"},
              {"stage": "split", "test_fraction": 0.25},
              {"stage": "train", "hidden": [], "output_activation": "identity", "epochs": 300, "learning_rate": 0.3, "standardize_target": true},
              {"stage": "evaluate"}
            ]}
            """, in: folder).get()
        XCTAssertGreaterThan(try XCTUnwrap(context.regressionEvaluation).rSquared, 0.999)
        let model = try XCTUnwrap(context.model)
        let y = model.network.predict(Matrix(rows: 1, columns: 1, values: [0.5])).values[0]
        XCTAssertEqual(y, 1250, accuracy: 1, "the network itself predicts in the target's units")
        guard case .object(let scaling)? = model.training["target_scaling"], case .number(let sd)? = scaling["std"] else {
            return XCTFail("the model records the target scaling")
        }
        XCTAssertGreaterThan(sd, 100)
    }

    func testFoldingTheScalingIntoTheOutputLayerIsExact() {
        let network = Network(layers: [
            DenseLayer(weights: Matrix(rows: 1, columns: 2, values: [1, -1]), bias: nil, activation: .tanh),
            DenseLayer(weights: Matrix(rows: 2, columns: 1, values: [2, 0.5]), bias: nil, activation: .identity),
        ])
        let folded = TrainStage.unscaledOutput(network, mean: 10, sd: 3)
        for x in [-1.0, 0.2, 3] {
            let scaled = network.predict(Matrix(rows: 1, columns: 1, values: [x])).values[0]
            XCTAssertEqual(folded.predict(Matrix(rows: 1, columns: 1, values: [x])).values[0], 10 + 3 * scaled, accuracy: 1e-12)
        }
    }
}
