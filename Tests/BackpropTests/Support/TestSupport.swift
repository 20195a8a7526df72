import Backprop
import BackpropNumerics
import Foundation
import XCTest

/// The repository's root folder (tests read `data/` and `pipelines/` from it).
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The golden numbers from the numpy reference (a copy of shared/golden/seed_reference.json).
struct Golden: @unchecked Sendable {
    let root: [String: Any]

    static let shared: Golden = {
        let url = Bundle.module.url(forResource: "seed_reference", withExtension: "json", subdirectory: "Fixtures")!
        let data = try! Data(contentsOf: url)
        return Golden(root: try! JSONSerialization.jsonObject(with: data) as! [String: Any])
    }()

    var example1: [String: Any] { root["example1"] as! [String: Any] }
    var example2: [String: Any] { root["example2"] as! [String: Any] }
}

/// A fresh temporary folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Writes `text` to `name` in `folder` and returns its URL.
@discardableResult
func write(_ text: String, to name: String, in folder: URL) -> URL {
    let url = folder.appendingPathComponent(name)
    try! Data(text.utf8).write(to: url)
    return url
}

/// Asserts that two arrays agree element by element within `tolerance`.
func assertClose(_ actual: [Double], _ expected: [Double], tolerance: Double, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "\(what): count", file: file, line: line)
    for (index, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance) {
        XCTFail("\(what)[\(index)]: \(a) differs from \(e) by \(abs(a - e)) > \(tolerance)", file: file, line: line)
        return
    }
}

/// Runs pipeline JSON written into `folder` (paths in it resolve against that folder) and
/// returns the context, or the error it threw.
func runPipeline(_ json: String, in folder: URL, lines: LineSink = LineSink()) -> Result<PipelineContext, BackpropError> {
    let file = write(json, to: "pipeline.json", in: folder)
    do {
        return .success(try Pipeline(contentsOf: file).run(log: lines.append))
    } catch let error as BackpropError {
        return .failure(error)
    } catch {
        XCTFail("unexpected error type: \(error)")
        return .failure(BackpropError(.pipeline, "\(error)"))
    }
}

/// Collects the lines a run prints.
final class LineSink: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    /// The lines so far.
    var lines: [String] { lock.withLock { stored } }

    /// Appends one line.
    @Sendable func append(_ line: String) { lock.withLock { stored.append(line) } }
}

/// The error of a run that should fail, or a test failure when it succeeded.
func expectFailure(_ result: Result<PipelineContext, BackpropError>, file: StaticString = #filePath, line: UInt = #line) -> BackpropError? {
    switch result {
    case .success: XCTFail("the run succeeded but should have failed", file: file, line: line); return nil
    case .failure(let error): return error
    }
}

/// Model JSON text without its `checksum` line: a file as written before checksums existed,
/// so that a test can edit a field and reach the check of that field.
func withoutChecksum(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.contains("\"checksum\": ") }.joined(separator: "\n")
}
