import Backprop
import BackpropNumerics
import Foundation
import XCTest

/// A model file is checked whole at load: hostile or damaged files are refused with the field
/// named and the right problem, and never trap.
final class HostileModelTests: XCTestCase {
    /// A small sealed model: inputs x (numeric) and c (categorical a/b), standardize x, one-hot c.
    static func goodModel() -> TrainedModel {
        let layer = DenseLayer(weights: Matrix(rows: 3, columns: 1, values: [0.5, -1, 2]), bias: [0.1], activation: .sigmoid)
        return TrainedModel(
            inputs: [ModelInput(name: "x", categorical: false), ModelInput(name: "c", categorical: true)],
            preprocessing: [try! StandardizeTransform(state: ["column": .string("x"), "mean": .number(1), "std": .number(2)]),
                            try! OneHotTransform(state: ["column": .string("c"), "categories": .array([.string("a"), .string("b")])])],
            features: ["x", "c_a", "c_b"], target: "y", network: Network(layers: [layer]), training: [:])
    }

    private var good: String { String(decoding: ModelFile.encode(Self.goodModel()), as: UTF8.self) }

    /// The refusal of `text` (checksum line removed unless `sealed`), or nil when it loads.
    private func refusal(_ text: String, sealed: Bool = false) -> ModelLoadFailure? {
        do {
            _ = try ModelFile.decodeChecked(Data((sealed ? text : withoutChecksum(text)).utf8))
            return nil
        } catch {
            XCTAssertFalse(error.message.contains("\n"), "one line: \(error.message)")
            XCTAssertLessThanOrEqual(error.message.utf8.count, BackpropError.maximumMessageBytes)
            return error
        }
    }

    private func assertRefused(_ text: String, _ parts: [String], problem: ModelFile.Problem = .corrupt, sealed: Bool = false,
                               file: StaticString = #filePath, line: UInt = #line) {
        guard let failure = refusal(text, sealed: sealed) else { return XCTFail("loaded", file: file, line: line) }
        XCTAssertEqual(failure.problem, problem, failure.message, file: file, line: line)
        for part in parts { XCTAssertTrue(failure.message.contains(part), "'\(failure.message)' lacks '\(part)'", file: file, line: line) }
    }

    func testTheGoodModelLoadsSealedAndUnsealed() throws {
        XCTAssertNil(refusal(good, sealed: true))
        XCTAssertNil(refusal(good), "a file without a checksum (written before checksums) loads")
        XCTAssertNil(refusal("\u{FEFF}" + good, sealed: true), "a leading byte-order mark is accepted")
    }

    func testVersionsThatAreNotWholeOrTooLargeAreErrorsNotTraps() {
        assertRefused(good.replacingOccurrences(of: "\"version\": \(ModelFile.version),", with: "\"version\": 1e19,"), ["version 1e+19 is newer"], problem: .wrongVersion)
        assertRefused(good.replacingOccurrences(of: "\"version\": \(ModelFile.version),", with: "\"version\": -1e300,"), ["older"], problem: .wrongVersion)
        assertRefused(good.replacingOccurrences(of: "\"version\": \(ModelFile.version),", with: "\"version\": 1.9,"), ["field 'version'", "whole number", "1.9"])
        assertRefused(good.replacingOccurrences(of: "\"version\": \(ModelFile.version),", with: "\"version\": \"1\","), ["field 'version'"])
    }

    func testAFlippedByteIsCaughtByTheChecksum() {
        let flipped = good.replacingOccurrences(of: "0.5", with: "0.7")
        XCTAssertNotEqual(flipped, good)
        assertRefused(flipped, ["field 'checksum'", "does not match", "pipeline seal"], sealed: true)
        XCTAssertNil(refusal(flipped), "the same edit without a checksum is a valid model")
        assertRefused(good.replacingOccurrences(of: "crc32:", with: "crc33:"), ["field 'checksum'"], sealed: true)
    }

    func testResealingAnEditedModelMakesItLoadAgain() throws {
        let edited = Data(good.replacingOccurrences(of: "0.5", with: "0.7").utf8)
        let resealed = try ModelFile.reseal(edited)
        let model = try ModelFile.decodeChecked(resealed)
        XCTAssertEqual(model.network.layers[0].weights.values[0], 0.7)
        XCTAssertThrowsError(try ModelFile.reseal(Data(good.replacingOccurrences(of: "\"sigmoid\"", with: "\"swish\"").utf8)),
                             "sealing does not make an invalid model valid")
    }

    func testInvalidUTF8IsRejectedNotReplaced() {
        var bytes = Array(withoutChecksum(good).utf8)
        let index = bytes.firstIndex(of: UInt8(ascii: "b"))!  // inside "bias"
        bytes[index] = 0xFF
        do {
            _ = try ModelFile.decodeChecked(Data(bytes))
            XCTFail("loaded")
        } catch {
            XCTAssertTrue(error.message.contains("invalid UTF-8"), error.message)
        }
    }

    func testUnknownFieldsAreRejectedEverywhere() {
        assertRefused(good.replacingOccurrences(of: "\"bias\"", with: "\"biaz\""), ["field 'layers[0]'", "unknown field 'biaz'"])
        assertRefused(good.replacingOccurrences(of: "\"target\":", with: "\"extra\": 1, \"target\":"), ["unknown field 'extra'"])
        assertRefused(good.replacingOccurrences(of: "\"mean\":", with: "\"meen\": 0, \"mean\":"), ["field 'preprocessing[0]'", "unknown field 'meen'"])
        assertRefused(good.replacingOccurrences(of: "\"categorical\": false", with: "\"categorical\": false, \"x\": 1"), ["field 'inputs[0]'", "unknown field 'x'"])
    }

    func testCrossReferencesAreChecked() {
        assertRefused(good.replacingOccurrences(of: "\"column\": \"x\"", with: "\"column\": \"nope\""),
                      ["field 'preprocessing[0]'", "no numeric column 'nope'"])
        assertRefused(good.replacingOccurrences(of: "\"c_b\"", with: "\"c_z\""), ["field 'features'", "c_z"])
        assertRefused(good.replacingOccurrences(of: "\"categories\": [", with: "\"categories\": [\"a\", "),
                      ["field 'preprocessing[1]'", "category \"a\" appears twice"])
        assertRefused(good.replacingOccurrences(of: "\"name\": \"c\"", with: "\"name\": \"x\""), ["field 'inputs[1].name'", "appears twice"])
        assertRefused(good.replacingOccurrences(of: "\"outputs\": 1", with: "\"outputs\": 2"), ["field 'layers[0].weights[0]'", "expected 2 numbers"])
        assertRefused(good.replacingOccurrences(of: "\"inputs\": 3", with: "\"inputs\": 1000000000"), ["field 'layers[0].inputs'", "from 1 to"])
        assertRefused(good.replacingOccurrences(of: "\"bias\": [0.1]", with: "\"bias\": [0.1, 2]"), ["field 'layers[0].bias'", "expected 1 numbers"])
    }

    func testNumbersMustBeFinite() {
        assertRefused(good.replacingOccurrences(of: "0.5", with: "1e400"), ["number out of range"])
        assertRefused(good.replacingOccurrences(of: "\"std\": 2", with: "\"std\": 0"), ["field 'preprocessing[0]'", "'std' must be positive"])
        assertRefused(good.replacingOccurrences(of: "0.5", with: "null"), ["field 'layers[0].weights[0][0]'", "finite number"])
    }

    func testEveryTruncationIsRefusedWithoutATrap() {
        let text = Array(good.utf8)
        for length in stride(from: 0, to: text.count, by: 7) {
            XCTAssertNotNil(refusal(String(decoding: text[..<length], as: UTF8.self), sealed: true), "length \(length)")
        }
    }

    func testLongTextInAFieldIsQuotedShort() {
        let long = String(repeating: "k", count: 100_000)
        guard let failure = refusal(good.replacingOccurrences(of: "\"target\":", with: "\"\(long)\": 1, \"target\":")) else { return XCTFail("loaded") }
        XCTAssertLessThan(failure.message.utf8.count, 400, failure.message)
    }

    func testModelFilesThatAreNotRegularFilesAreRefusedWithoutBlocking() throws {
        let folder = temporaryFolder(self)
        let fifo = folder.appendingPathComponent("model.json").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try ModelFile.loadChecked(path: fifo)) { error in
            let failure = error as! ModelLoadFailure
            XCTAssertEqual(failure.problem, .unreadable)
            XCTAssertTrue(failure.message.contains("a FIFO"), failure.message)
        }
        XCTAssertThrowsError(try ModelFile.loadChecked(path: folder.path)) { error in
            XCTAssertTrue((error as! ModelLoadFailure).message.contains("a directory"))
        }
        XCTAssertThrowsError(try ModelFile.loadChecked(path: folder.appendingPathComponent("absent.json").path)) { error in
            XCTAssertEqual((error as! ModelLoadFailure).problem, .notFound)
        }
    }
}
