import Backprop
import BackpropNumerics
import Foundation
import XCTest

/// The project's anchor: the numpy reference's two examples, reproduced through the real code.
final class ReferenceExampleTests: XCTestCase {
    /// Example 1: one backprop step of the 3-2-1 sigmoid network with fixed weights gives the
    /// reference's output, error terms and weight deltas to 1e-12.
    func testOneBackpropStepMatchesTheReference() throws {
        let e = Golden.shared.example1
        let x = e["x"] as! [Double], target = e["target"] as! Double, rate = e["learnrate"] as! Double
        let inputHidden = Matrix(e["weights_input_hidden"] as! [[Double]])!
        let hiddenOutput = Matrix(rows: 2, columns: 1, values: e["weights_hidden_output"] as! [Double])
        let network = Network(layers: [
            DenseLayer(weights: inputHidden, bias: nil, activation: .sigmoid),
            DenseLayer(weights: hiddenOutput, bias: nil, activation: .sigmoid),
        ])
        let inputs = Matrix(rows: 1, columns: 3, values: x)
        let targets = Matrix(rows: 1, columns: 1, values: [target])

        var pass = ForwardPass(network: network, batchSize: 1)
        pass.run(network, inputs: inputs)
        var backward = Backpropagation(network: network, batchSize: 1)
        backward.run(network, pass: pass, inputs: inputs, targets: targets, loss: .meanSquaredError)

        let output = pass.activations[1].values[0]
        XCTAssertEqual(output, e["output"] as! Double, accuracy: 1e-12)
        XCTAssertEqual(target - output, e["error"] as! Double, accuracy: 1e-12)
        // The reference's error terms use error = target − output; ours are ∂E/∂z, their negation.
        XCTAssertEqual(-backward.errorTerms[1].values[0], e["output_error_term"] as! Double, accuracy: 1e-12)
        assertClose(backward.errorTerms[0].values.map { -$0 }, e["hidden_error_term"] as! [Double], tolerance: 1e-12, "hidden error term")
        // The reference's deltas are learnrate · (−∂E/∂w).
        assertClose(backward.gradients.weights[1].values.map { -rate * $0 }, e["delta_w_h_o"] as! [Double], tolerance: 1e-12, "delta_w_h_o")
        assertClose(backward.gradients.weights[0].values.map { -rate * $0 },
                    (e["delta_w_i_h"] as! [[Double]]).flatMap { $0 }, tolerance: 1e-12, "delta_w_i_h")
    }

    /// Example 2: `pipelines/admissions-reference.json`, run through the real runner, ends within
    /// 1e-9 of the reference's final weights, recorded losses and test probabilities, with the same
    /// test accuracy, and standardizes with the reference's means and sample standard deviations.
    func testReferencePipelineReproducesTheNumpyRun() throws {
        let e = Golden.shared.example2
        let folder = temporaryFolder(self)
        // The shipped pipeline file, with its outputs sent to a temporary folder.
        var text = try String(contentsOf: repositoryRoot.appendingPathComponent("pipelines/admissions-reference.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "../out/", with: folder.path + "/")
            .replacingOccurrences(of: "../data/", with: repositoryRoot.path + "/data/")
        let file = write(text, to: "admissions-reference.json", in: folder)
        let lines = LineSink()
        let context = try Pipeline(contentsOf: file).run(log: lines.append)

        let network = try XCTUnwrap(context.model?.network)
        let final = e["final"] as! [String: Any]
        assertClose(network.layers[0].weights.values, (final["weights_input_hidden"] as! [[Double]]).flatMap { $0 }, tolerance: 1e-9, "final input→hidden weights")
        assertClose(network.layers[1].weights.values, final["weights_hidden_output"] as! [Double], tolerance: 1e-9, "final hidden→output weights")

        let losses = e["losses"] as! [[String: Any]]
        XCTAssertEqual(context.trainingLosses.map(\.epoch), losses.map { $0["epoch"] as! Int })
        assertClose(context.trainingLosses.map(\.loss), losses.map { $0["loss"] as! Double }, tolerance: 1e-9, "losses")

        let evaluation = try XCTUnwrap(context.evaluation)
        assertClose(evaluation.probabilities, e["test_probabilities"] as! [Double], tolerance: 1e-9, "test probabilities")
        XCTAssertEqual(evaluation.accuracy, e["test_accuracy"] as! Double)
        XCTAssertTrue(lines.lines.contains(String(format: "Prediction accuracy: %.3f", e["test_accuracy"] as! Double)))
        XCTAssertEqual(lines.lines.filter { $0.hasPrefix("Train loss: ") }.count, 10)

        let columns = e["columns"] as! [String]
        XCTAssertEqual(context.model?.features, columns)
        let stats = e["standardization"] as! [String: [String: Double]]
        let standardized = context.preprocessing.compactMap { $0 as? StandardizeTransform }
        XCTAssertEqual(standardized.map(\.column), ["gre", "gpa"])
        for step in standardized {
            XCTAssertEqual(step.mean, stats[step.column]!["mean"]!, accuracy: 1e-12)
            XCTAssertEqual(step.standardDeviation, stats[step.column]!["std"]!, accuracy: 1e-12)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("admissions-reference.model.json").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("admissions-reference.report.json").path))
    }
}
