import Backprop
import Foundation
import XCTest

/// Files named from outside are read only when they are regular files (a FIFO would block
/// forever), and sizes from pipeline fields are bounded with a message naming the limit.
final class InputSafetyTests: XCTestCase {
    private var folder: URL!

    override func setUp() {
        folder = temporaryFolder(self)
    }

    func testAFIFOAsThePipelineOrTheDataIsRefusedAtOnce() throws {
        let fifo = folder.appendingPathComponent("p.json")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        XCTAssertBackpropError(["p.json", "not a regular file (a FIFO)"]) { _ = try Pipeline(contentsOf: fifo) }

        XCTAssertEqual(mkfifo(folder.appendingPathComponent("data.csv").path, 0o600), 0)
        let json = #"{"stages": [{"stage": "ingest", "path": "data.csv", "target": "admit"}]}"#
        let file = write(json, to: "pipeline.json", in: folder)
        let checks = try Pipeline(contentsOf: file).checks()
        XCTAssertTrue(checks.contains { !$0.passed && $0.message.contains("a FIFO") }, "validate: \(checks.map(\.message))")
        let error = expectFailure(runPipeline(json, in: folder))
        XCTAssertTrue(error?.message.contains("a FIFO") ?? false, error?.message ?? "")
    }

    private func trainError(_ fields: String) -> BackpropError? {
        write("admit,gre\n0,1\n1,2\n", to: "data.csv", in: folder)
        return expectFailure(runPipeline(#"{"stages": [{"stage": "ingest", "path": "data.csv", "target": "admit"}, {"stage": "train", "learning_rate": 0.1, \#(fields)}]}"#, in: folder))
    }

    func testSizesHaveUpperBounds() {
        let epochs = trainError(#""hidden": [2], "epochs": 1e12"#)
        XCTAssertTrue(epochs?.message.contains("field 'epochs': expected at most 10000000") ?? false, epochs?.message ?? "")
        let wide = trainError(#""hidden": [1000000000], "epochs": 1"#)
        XCTAssertTrue(wide?.message.contains("field 'hidden'") ?? false, wide?.message ?? "")
        let big = trainError(#""hidden": [65536, 65536], "epochs": 1"#)
        XCTAssertTrue(big?.message.contains("more than the limit of 50000000") ?? false, big?.message ?? "")
    }

    func testHugeTextIsNotEchoedWhole() {
        let kind = String(repeating: "x", count: 1_000_000)
        let error = expectFailure(runPipeline(#"{"stages": [{"stage": "\#(kind)"}]}"#, in: folder))
        XCTAssertTrue(error?.message.contains("unknown stage kind 'xxx") ?? false)
        XCTAssertLessThanOrEqual(error?.message.utf8.count ?? .max, BackpropError.maximumMessageBytes)
    }

    func testAByteOrderMarkIsAccepted() throws {
        let value = try JSONParser.parse(Array("\u{FEFF}{\"a\": [1, \"é\"]}".utf8))
        XCTAssertEqual(value, .object(["a": .array([.number(1), .string("é")])]))
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]), "an invalid two-byte sequence")
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]), "an encoded surrogate")
        XCTAssertThrowsError(try JSONParser.parse(Array("\"\\ud800\"".utf8)), "a lone surrogate escape")
    }
}
