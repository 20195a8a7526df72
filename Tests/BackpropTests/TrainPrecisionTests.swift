import BackpropNumerics
import FoundationEssentials
import XCTest

@testable import Backprop

/// The train stage's "precision" and "threads": float32 trains to nearly the float64 model, the
/// thread count never changes the model file, and bad values are refused naming the field.
final class TrainPrecisionTests: XCTestCase {
    /// `rows` rows of two features and a 0/1 label that depends on them (with overlap).
    private func writeData(rows: Int, in folder: URL) {
        let g = RandomGenerator(seed: 21)
        var text = "a,b,y\n"
        for _ in 0..<rows {
            let (a, b) = (g.gaussian(standardDeviation: 1), g.gaussian(standardDeviation: 2))
            text += "\(a),\(b),\(a - 0.5 * b + g.gaussian(standardDeviation: 0.5) > 0 ? 1 : 0)\n"
        }
        write(text, to: "data.csv", in: folder)
    }

    private func train(_ extra: String, rows: Int, in folder: URL) throws -> PipelineContext {
        try runPipeline("""
            {"seed": 3, "stages": [
              {"stage": "ingest", "path": "data.csv", "target": "y"},
              {"stage": "normalize", "standardize": ["a", "b"]},
              {"stage": "train", "hidden": [4], "loss": "binary_cross_entropy", "epochs": 30, "learning_rate": 0.5\(extra)}
            ]}
            """, in: folder).get()
    }

    func testFloat32TrainsNearlyTheFloat64ModelAndSaysSo() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 300, in: folder)
        let double = try XCTUnwrap(train("", rows: 300, in: folder).model)
        let single = try XCTUnwrap(train(#", "precision": "float32""#, rows: 300, in: folder).model)
        XCTAssertEqual(single.training["precision"], .string("float32"))
        XCTAssertEqual(double.training["precision"], .string("float64"))
        XCTAssertNotEqual(single.network, double.network, "float32 rounds differently")
        for (s, d) in zip(single.network.layers, double.network.layers) {
            assertClose(s.weights.values, d.weights.values, tolerance: 1e-4, "weights")
            assertClose(s.bias ?? [], d.bias ?? [], tolerance: 1e-4, "biases")
        }
    }

    func testTheThreadCountDoesNotChangeTheModelFile() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 9_000, in: folder)  // three blocks of rows
        let one = try XCTUnwrap(train(#", "threads": 1"#, rows: 9_000, in: folder).model)
        let two = try XCTUnwrap(train(#", "threads": 2"#, rows: 9_000, in: folder).model)
        let three = try XCTUnwrap(train(#", "threads": 3"#, rows: 9_000, in: folder).model)
        XCTAssertEqual(ModelFile.encode(one), ModelFile.encode(two))
        XCTAssertEqual(ModelFile.encode(one), ModelFile.encode(three))
    }

    func testBadPrecisionOrThreadsNameTheField() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 20, in: folder)
        for (extra, field) in [(#", "precision": "float16""#, "precision"), (#", "threads": 0"#, "threads"), (#", "threads": 1000"#, "threads")] {
            let error = try XCTUnwrap(expectFailure(Result { try train(extra, rows: 20, in: folder) }.mapError { $0 as! BackpropError }))
            XCTAssertTrue(error.message.contains("'\(field)'") || error.message.contains(field), error.message)
        }
    }
}
