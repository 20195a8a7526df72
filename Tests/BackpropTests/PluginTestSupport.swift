import Backprop
import Foundation
import XCTest

/// Builds C plugins with gcc into a temporary folder and writes small pipelines beside them.
/// Tests never call `swift build`; they compile C sources with gcc through `Process`.
struct PluginWorkspace {
    /// The repository root, found from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The temporary folder holding the plugins, data and pipelines.
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-plugins-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Compiles `source` (relative to the repository root) into `folder/name` with `defines`.
    @discardableResult
    func compile(_ source: String, into name: String, defines: [String] = []) throws -> URL {
        let output = folder.appendingPathComponent(name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gcc", "-shared", "-fPIC", "-std=c11", "-Wall", "-Wextra", "-Werror",
                             "-I", Self.root.appendingPathComponent("include").path]
            + defines.map { "-D\($0)" }
            + ["-o", output.path, Self.root.appendingPathComponent(source).path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BackpropError(.output, "gcc failed on \(source) \(defines)")
        }
        return output
    }

    /// The clip example plugin, built as `libclip.so`.
    @discardableResult
    func buildClip() throws -> URL { try compile("examples/c-plugin/clip.c", into: "libclip.so") }

    /// Writes `text` to `folder/name`.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Four applicants: gre 200…800, gpa, a categorical rank, admit.
    func writeSmallData() throws {
        try write("data.csv", "admit,gre,gpa,rank\n0,200,2.0,1\n1,400,3.0,2\n1,600,4.0,1\n0,800,3.5,2\n")
    }

    /// A pipeline of `stages` (JSON text, comma-separated) over data.csv.
    func pipeline(_ stages: String, name: String = "p.json") throws -> Pipeline {
        let url = try write(name, "{\"stages\": [{\"stage\": \"ingest\", \"path\": \"data.csv\", \"target\": \"admit\", \"categorical\": [\"rank\"]}, \(stages)]}")
        return try Pipeline(contentsOf: url)
    }
}

/// A stage of type `T` configured from `fields` (the `stage` field is added).
func configured<T: PipelineStage>(_ type: T.Type, _ fields: [String: JSONValue], kind: String? = nil) throws -> T {
    var parameters = StageParameters(
        index: 0, kind: kind ?? T.kind, fields: fields.merging(["stage": .string(kind ?? T.kind)]) { a, _ in a },
        pipelineFile: URL(fileURLWithPath: "/tmp/conformance.json"), derivedSeed: 1)
    return try T(parameters: &parameters)
}

/// Asserts that `body` throws a `BackpropError` whose message contains every one of `parts`.
func XCTAssertBackpropError(_ parts: [String], file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected an error containing \(parts)", file: file, line: line)
    } catch let error as BackpropError {
        for part in parts {
            XCTAssertTrue(error.message.contains(part), "'\(error.message)' lacks '\(part)'", file: file, line: line)
        }
        XCTAssertFalse(error.message.contains("\n"), "the message is one line", file: file, line: line)
    } catch {
        XCTFail("expected a BackpropError, got \(error)", file: file, line: line)
    }
}
