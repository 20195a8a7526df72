import Backprop
import Foundation
import XCTest

/// Replays the fuzz seed corpus and every kept crasher (Fuzz/corpus, Fuzz/crashers) through what
/// the fuzz targets call, so that `swift test` catches a regression without libFuzzer: nothing may
/// trap, and every crasher model or pipeline must be refused with an error.
final class FuzzRegressionTests: XCTestCase {
    private func files(_ folder: String) throws -> [URL] {
        let url = repositoryRoot.appendingPathComponent("Fuzz").appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent != "README.md" }.sorted { $0.path < $1.path }
    }

    /// What the model targets do with `data`; returns whether the default load succeeded.
    private func replayModel(_ data: Data) -> Bool {
        var loaded = false
        if let model = try? ModelFile.decodeChecked(data) {
            loaded = true
            // Predict through the compiled path (as the C ABI does) with each input's first category.
            let predictor = ModelPredictor(model: model)
            var row = [Double](repeating: 0, count: predictor.inputCount)
            for index in model.inputs.indices { row[index] = model.categories(ofInput: index).first?.code ?? 0 }
            var out = [Double](repeating: 0, count: predictor.outputCount)
            row.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { output in
                    _ = try? predictor.predict(raw: input, rowCount: 1, into: output)
                }
            }
        }
        _ = try? ModelFile.decodeChecked(data, options: ModelLoadOptions(plugins: .describeOnly))
        _ = try? ModelFile.reseal(data)
        return loaded
    }

    func testTheModelCorpusLoadsAndPredicts() throws {
        let corpus = try files("corpus/model")
        XCTAssertGreaterThanOrEqual(corpus.count, 3)
        for file in corpus { XCTAssertTrue(replayModel(try Data(contentsOf: file)), file.lastPathComponent) }
    }

    func testEveryModelCrasherIsRefused() throws {
        let crashers = try files("crashers/model")
        XCTAssertGreaterThanOrEqual(crashers.count, 9)
        for file in crashers { XCTAssertFalse(replayModel(try Data(contentsOf: file)), "\(file.lastPathComponent) loaded") }
    }

    func testPipelineCorpusParsesAndCrashersAreRefused() throws {
        let place = URL(fileURLWithPath: "/nonexistent/fuzz/pipeline.json")
        for file in try files("corpus/pipeline") {
            XCTAssertNoThrow(try Pipeline(json: try Data(contentsOf: file), file: place), file.lastPathComponent)
        }
        for file in try files("crashers/pipeline") {
            XCTAssertThrowsError(try Pipeline(json: try Data(contentsOf: file), file: place), file.lastPathComponent) { error in
                XCTAssertLessThanOrEqual((error as? BackpropError)?.message.utf8.count ?? .max, BackpropError.maximumMessageBytes)
            }
        }
    }

    func testCSVCorpusAndCrashersParseWithoutATrap() throws {
        for file in try files("corpus/csv") + files("crashers/csv") {
            _ = try? CSVReader.parse(try Data(contentsOf: file), name: file.lastPathComponent)
        }
    }
}
