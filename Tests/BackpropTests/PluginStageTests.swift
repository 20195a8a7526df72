import Backprop
import Foundation
import XCTest

/// The C plugin stage: a swap for `normalize`, the model round trip, and every failure named.
final class PluginStageTests: XCTestCase {
    var workspace: PluginWorkspace!

    override func setUpWithError() throws {
        unsetenv("BACKPROP_PLUGIN_PATH")
        workspace = try PluginWorkspace()
        try workspace.writeSmallData()
    }

    override func tearDown() {
        unsetenv("BACKPROP_PLUGIN_PATH")
        workspace.remove()
    }

    private let split = #"{"stage": "split", "train_rows": [0, 1, 2], "test_rows": [3]}"#

    private func column(_ data: Dataset, _ name: String) -> [Double] {
        data.features[data.featureIndex(named: name)!].numbers!
    }

    /// Built-in min_max, then the clip plugin in its place: on the training rows (gre 200, 400,
    /// 600; gpa 2, 3, 4) both give (x − min) / (max − min); the test row (gre 800, gpa 3.5) is
    /// clipped by the plugin to gre 600 → 1, while min_max extrapolates to (800 − 200) / 400 = 1.5.
    func testClipPluginReplacesNormalizeWithHandComputedNumbers() throws {
        try workspace.buildClip()
        let builtIn = try workspace.pipeline(#"\#(split), {"stage": "normalize", "min_max": ["gre", "gpa"]}"#).run { _ in }
        let plugin = try workspace.pipeline(
            #"\#(split), {"stage": "plugin", "library": "libclip.so", "params": {"columns": ["gre", "gpa"], "scale": true}}"#,
            name: "q.json").run { _ in }
        let expectedGre = [0.0, 0.5, 1.0, 1.0], expectedGpa = [0.0, 0.5, 1.0, 0.75]
        XCTAssertEqual(column(plugin.data!, "gre"), expectedGre)
        XCTAssertEqual(column(plugin.data!, "gpa"), expectedGpa)
        XCTAssertEqual(column(builtIn.data!, "gre"), [0.0, 0.5, 1.0, 1.5])
        XCTAssertEqual(column(builtIn.data!, "gpa"), expectedGpa)
        XCTAssertEqual(plugin.data!.featureNames, ["gre", "gpa", "rank"], "the categorical rank passes through")
        XCTAssertEqual(plugin.preprocessing.map { type(of: $0).kind }, ["plugin"])
    }

    /// The model stores the plugin step; loading it restores the plugin, and predictions from
    /// raw rows match the in-memory model's.
    func testModelRecordsPluginAndPredictsWithIt() throws {
        try workspace.buildClip()
        let context = try workspace.pipeline(#"""
            {"stage": "normalize", "one_hot": ["rank"]}, \#(split),
            {"stage": "plugin", "library": "libclip.so", "params": {"columns": ["gre", "gpa"], "scale": true}},
            {"stage": "train", "hidden": [2], "epochs": 5, "learning_rate": 0.5, "seed": 3, "model": "m.json"}
            """#).run { _ in }
        let modelURL = workspace.folder.appendingPathComponent("m.json")
        let text = try String(contentsOf: modelURL, encoding: .utf8)
        XCTAssertTrue(text.contains("\"kind\": \"plugin\""))
        XCTAssertTrue(text.contains("\"library\": \"libclip.so\""))
        XCTAssertBackpropError(["field 'preprocessing[1]'", "plugin 'clip'", "not allowed"]) {
            _ = try ModelFile.load(modelURL)
        }
        let allowed = ModelLoadOptions(plugins: .load(PluginSearchPath(folders: [workspace.folder])))
        let loaded = try ModelFile.load(modelURL, options: allowed)
        let raw = try rawData()
        let expected = try context.model!.predict(raw: raw)
        let got = try loaded.predict(raw: raw)
        XCTAssertEqual(got.rows, 4)
        for row in 0..<4 { XCTAssertEqual(got[row, 0], expected[row, 0]) }
    }

    private func rawData() throws -> Dataset {
        let url = try workspace.write("ingest.json", #"{"stages": [{"stage": "ingest", "path": "data.csv", "target": "admit", "categorical": ["rank"]}]}"#)
        return try Pipeline(contentsOf: url).run { _ in }.data!
    }

    func testMissingPluginAtPredictionTimeIsAClearError() throws {
        let library = try workspace.buildClip()
        _ = try workspace.pipeline(#"""
            {"stage": "normalize", "one_hot": ["rank"]}, \#(split),
            {"stage": "plugin", "library": "libclip.so", "params": {"columns": ["gre"]}},
            {"stage": "train", "hidden": [1], "epochs": 2, "learning_rate": 0.1, "seed": 1, "model": "m.json"}
            """#).run { _ in }
        // The model records the library's absolute path; only the search path is looked in.
        let elsewhere = workspace.folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let allowed = ModelLoadOptions(plugins: .load(PluginSearchPath(folders: [elsewhere])))
        XCTAssertBackpropError(["field 'preprocessing[1]'", "libclip.so", "not found", elsewhere.path, "BACKPROP_PLUGIN_PATH"]) {
            _ = try ModelFile.load(workspace.folder.appendingPathComponent("m.json"), options: allowed)
        }
        try FileManager.default.removeItem(at: library)
        XCTAssertBackpropError(["libclip.so", "not found"]) {
            _ = try ModelFile.load(workspace.folder.appendingPathComponent("m.json"), options: allowed)
        }
        // Described without loading: inspect needs no library.
        let described = try ModelFile.load(workspace.folder.appendingPathComponent("m.json"), options: ModelLoadOptions(plugins: .describeOnly))
        XCTAssertEqual(described.preprocessing.map { type(of: $0).kind }, ["one_hot", "plugin"])
    }

    /// `{"stage": "clip", …}` finds libclip.so on BACKPROP_PLUGIN_PATH; other fields are parameters.
    func testKindFoundOnPluginPath() throws {
        try workspace.buildClip()
        XCTAssertBackpropError(["unknown stage kind 'clip'", "libclip.so"]) {
            _ = try workspace.pipeline(#"{"stage": "clip", "columns": ["gre"]}"#)
        }
        setenv("BACKPROP_PLUGIN_PATH", "/nonexistent:" + workspace.folder.path, 1)
        let context = try workspace.pipeline(#"\#(split), {"stage": "clip", "columns": ["gre"]}"#).run { _ in }
        XCTAssertEqual(column(context.data!, "gre"), [200, 400, 600, 600])
        XCTAssertBackpropError(["stage 3 (clip)", "libclip.so", "unknown parameter 'colums'"]) {
            _ = try workspace.pipeline(#"\#(split), {"stage": "clip", "colums": ["gre"]}"#)
        }
    }

    // MARK: - Robustness: each failure is a one-line error naming the stage and the library.

    private func run(library: String, stage: String = "stage 3 (plugin)") throws -> () throws -> Void {
        let pipeline = { try self.workspace.pipeline(#"\#(self.split), {"stage": "plugin", "library": "\#(library)"}"#).run { _ in } }
        return { _ = try pipeline() }
    }

    func testMissingLibrary() throws {
        XCTAssertBackpropError(["stage 3 (plugin)", "field 'library'", "libnothere.so", "not found"]) { try self.run(library: "libnothere.so")() }
        XCTAssertBackpropError(["stage 3 (plugin)", "sub/libnothere.so", "not found"]) { try self.run(library: "sub/libnothere.so")() }
    }

    func testNotAPlugin() throws {
        try workspace.write("libjunk.so", "not an ELF file")
        XCTAssertBackpropError(["stage 3 (plugin)", "libjunk.so", "cannot load"]) { try self.run(library: "libjunk.so")() }
    }

    func testFaultsAreNamedErrors() throws {
        let cases: [(define: String, message: String)] = [
            ("FAULT_SYMBOL", "no 'backprop_plugin_descriptor' symbol"),
            ("FAULT_ABI", "built for plugin ABI 2.0, this host supports 1.x"),
            ("FAULT_SIZE", "struct_size is 8 bytes"),
            ("FAULT_FIT", "fit failed: fit refused: deliberately failing"),
            ("FAULT_ROWS", "transform returned 3 rows for 4 (a plugin must keep every row)"),
            ("FAULT_NAN", "transform gave nan in column 'gre' at data row 1"),
        ]
        for fault in cases {
            let name = "lib\(fault.define.lowercased()).so"
            try workspace.compile("Tests/BackpropTests/Fixtures/faulty_plugin.c", into: name, defines: [fault.define])
            XCTAssertBackpropError(["stage 3 (plugin)", name, fault.message]) { try self.run(library: name)() }
        }
        try workspace.compile("Tests/BackpropTests/Fixtures/faulty_plugin.c", into: "libfine.so")
        XCTAssertNoThrow(try run(library: "libfine.so")(), "the same plugin without a fault runs")
    }

    func testBadParametersAreReportedBeforeAnythingRuns() throws {
        try workspace.buildClip()
        XCTAssertBackpropError(["p.json: stage 3 (plugin)", "libclip.so", "create failed", "parameter 'columns': missing or empty"]) {
            _ = try workspace.pipeline(#"\#(split), {"stage": "plugin", "library": "libclip.so", "params": {}}"#)
        }
        XCTAssertBackpropError(["stage 3 (plugin)", "field 'params'", "expected an object"]) {
            _ = try workspace.pipeline(#"\#(split), {"stage": "plugin", "library": "libclip.so", "params": 3}"#)
        }
        XCTAssertBackpropError(["stage 3 (plugin)", "libclip.so", "no numeric column 'height'"]) {
            _ = try workspace.pipeline(#"\#(split), {"stage": "plugin", "library": "libclip.so", "params": {"columns": ["height"]}}"#).run { _ in }
        }
    }
}
