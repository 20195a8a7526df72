import Backprop
import BackpropNumerics
import Foundation
import XCTest

/// Model files that cannot be loaded: each refused with a message saying why, and classified.
final class ModelFileErrorTests: XCTestCase {
    func modelText() -> String {
        let layer = DenseLayer(weights: Matrix(rows: 2, columns: 1, values: [0.5, -1]), bias: [0.1], activation: .sigmoid)
        let model = TrainedModel(
            inputs: [ModelInput(name: "x", categorical: false), ModelInput(name: "z", categorical: false)],
            preprocessing: [], features: ["x", "z"], target: "y", network: Network(layers: [layer]), training: [:])
        return String(decoding: ModelFile.encode(model), as: UTF8.self)
    }

    func refusal(_ text: String) -> (message: String, problem: ModelFile.Problem)? {
        let data = Data(text.utf8)
        do {
            _ = try ModelFile.decode(data)
            return nil
        } catch let error as BackpropError {
            XCTAssertEqual(error.category, .model)
            return (error.message, ModelFile.problem(with: data))
        } catch {
            XCTFail("unexpected \(error)")
            return nil
        }
    }

    func testAGoodFileLoads() throws {
        XCTAssertEqual(try ModelFile.decode(Data(modelText().utf8)).network.outputCount, 1)
    }

    func testTruncatedFiles() throws {
        let text = modelText().trimmingCharacters(in: .whitespacesAndNewlines)
        for length in [0, 1, text.count / 2, text.count - 1] {
            let result = try XCTUnwrap(refusal(String(text.prefix(length))), "length \(length)")
            XCTAssertEqual(result.problem, .truncated, "length \(length)")
            if length > 0 { XCTAssertTrue(result.message.contains("truncated"), result.message) }
        }
    }

    func testCorruptFiles() throws {
        for text in ["hello", "[1, 2]", "{\"format\": \"other\"}", modelText().replacingOccurrences(of: "\"weights\"", with: "\"weightz\""), "{\"a\": 1}}"] {
            let result = try XCTUnwrap(refusal(text), text)
            XCTAssertEqual(result.problem, .corrupt, text)
        }
    }

    func testOtherFormatVersions() throws {
        for (version, word) in [(3, "newer"), (0, "older")] {
            let text = modelText().replacingOccurrences(of: "\"version\":2", with: "\"version\":\(version)")
                .replacingOccurrences(of: "\"version\": 2", with: "\"version\": \(version)")
            XCTAssertNotEqual(text, modelText(), "the version field was not found")
            let result = try XCTUnwrap(refusal(text))
            XCTAssertEqual(result.problem, .wrongVersion)
            XCTAssertTrue(result.message.contains(word), result.message)
        }
    }

    func testAMissingFileNamesThePath() {
        XCTAssertThrowsError(try ModelFile.load(URL(fileURLWithPath: "/nonexistent/m.json"))) { error in
            XCTAssertTrue((error as? BackpropError)?.message.contains("/nonexistent/m.json") == true)
        }
    }
}
