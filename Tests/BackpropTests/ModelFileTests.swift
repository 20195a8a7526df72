import Backprop
import BackpropNumerics
import FoundationEssentials
import XCTest

/// The model file holds everything prediction needs, reads back exactly, and refuses what it
/// cannot trust.
final class ModelFileTests: XCTestCase {
    private func trainedModel() throws -> (TrainedModel, Dataset) {
        let folder = temporaryFolder(self)
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("pipelines/admissions.json"), encoding: .utf8)
            .replacingOccurrences(of: "../data/", with: repositoryRoot.path + "/data/")
            .replacingOccurrences(of: "\"epochs\": 900", with: "\"epochs\": 50")
            .replacingOccurrences(of: "../out/", with: folder.path + "/")
        let context = try runPipeline(text, in: folder).get()
        return (try XCTUnwrap(context.model), try XCTUnwrap(context.data))
    }

    func testRoundTripGivesIdenticalPredictionsFromRawRows() throws {
        let (model, _) = try trainedModel()
        let restored = try ModelFile.decode(ModelFile.encode(model))
        XCTAssertEqual(restored.network, model.network)
        XCTAssertEqual(restored.features, ["gre", "gpa", "rank_1", "rank_2", "rank_3", "rank_4"])
        XCTAssertEqual(restored.inputs, [ModelInput(name: "gre", categorical: false), ModelInput(name: "gpa", categorical: false),
                                         ModelInput(name: "rank", categorical: true)])
        let raw = Dataset(source: "raw", features: [
            Column(name: "gre", values: .numeric([700, 380])),
            Column(name: "gpa", values: .numeric([3.8, 2.9])),
            Column(name: "rank", values: .categorical(["2", "4"])),
        ], target: Column(name: "admit", values: .numeric([0, 0])), rowIDs: [0, 1])
        XCTAssertEqual(try restored.predict(raw: raw), try model.predict(raw: raw))
        // The raw path equals the network on hand-preprocessed values.
        let standardize = model.preprocessing.compactMap { $0 as? StandardizeTransform }
        let gre = (700 - standardize[0].mean) / standardize[0].standardDeviation
        let gpa = (3.8 - standardize[1].mean) / standardize[1].standardDeviation
        let byHand = model.network.predict(Matrix(rows: 1, columns: 6, values: [gre, gpa, 0, 1, 0, 0]))
        XCTAssertEqual(try model.predict(raw: raw).values[0], byHand.values[0], accuracy: 1e-15)
    }

    func testTheFileStartsWithFormatAndVersion() throws {
        let text = String(decoding: ModelFile.encode(try trainedModel().0), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{\n  \"format\": \"backprop-model\",\n  \"version\": 2,\n"), String(text.prefix(80)))
    }

    func testSameSeedGivesByteIdenticalModelAndReport() throws {
        func run() throws -> (Data, Data) {
            let folder = temporaryFolder(self)
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent("pipelines/admissions.json"), encoding: .utf8)
                .replacingOccurrences(of: "../data/", with: repositoryRoot.path + "/data/")
                .replacingOccurrences(of: "../out/", with: folder.path + "/")
            _ = try runPipeline(text, in: folder).get()
            return (try Data(contentsOf: folder.appendingPathComponent("admissions.model.json")),
                    try Data(contentsOf: folder.appendingPathComponent("admissions.report.json")))
        }
        let (firstModel, firstReport) = try run()
        let (secondModel, secondReport) = try run()
        XCTAssertEqual(firstModel, secondModel)
        XCTAssertEqual(firstReport, secondReport)
    }

    func testVersionsCorruptionAndTruncationAreRefused() throws {
        let good = String(decoding: ModelFile.encode(try trainedModel().0), as: UTF8.self)
        func message(_ text: String) -> String? {
            do { _ = try ModelFile.decode(Data(text.utf8)); return nil } catch let error as BackpropError {
                XCTAssertEqual(error.category, .model)
                return error.message
            } catch { return "\(error)" }
        }
        XCTAssertEqual(message(good.replacingOccurrences(of: "\"version\": 2", with: "\"version\": 3")),
                       "model format version 3 is newer than this library's (reads 1 to 2)")
        XCTAssertEqual(message(good.replacingOccurrences(of: "\"version\": 2", with: "\"version\": 0")),
                       "model format version 0 is older than this library's (reads 1 to 2)")
        XCTAssertTrue(message(String(good.prefix(good.count / 2)))?.contains("truncated or corrupt") ?? false)
        XCTAssertTrue(message("{\"format\": \"something-else\"}")?.contains("not a model file") ?? false)
        let swish = good.replacingOccurrences(of: "\"activation\": \"sigmoid\"", with: "\"activation\": \"swish\"")
        XCTAssertTrue(message(swish)?.contains("field 'checksum': the content does not match") ?? false, "an edit breaks the seal")
        XCTAssertTrue(message(withoutChecksum(swish))?.contains("field 'layers[0].activation': expected one of") ?? false)
        XCTAssertNil(message(good), "the unmodified file loads")
    }

    func testOutputNamesFollowTheSavedClassCodes() {
        let layer = DenseLayer(weights: Matrix(rows: 2, columns: 3), bias: nil, activation: .softmax)
        var model = TrainedModel(inputs: [ModelInput(name: "x", categorical: false), ModelInput(name: "y", categorical: false)],
                                 preprocessing: [], features: ["x", "y"], target: "kind",
                                 network: Network(layers: [layer]), training: ["classes": .array([.number(1), .number(2), .number(5)])])
        XCTAssertEqual(model.outputNames, ["kind_1", "kind_2", "kind_5"])
        model.training = [:]
        XCTAssertEqual(model.outputNames, ["kind_0", "kind_1", "kind_2"])
    }
}
