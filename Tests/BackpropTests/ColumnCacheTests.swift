import BackpropNumerics
import FoundationEssentials
import Glibc
import XCTest

@testable import Backprop

/// The ingest stage's binary column cache: written on the first run, read instead of the CSV
/// while the CSV is unchanged, rebuilt (saying why) when it is stale, truncated, damaged or of
/// another version, and the same model as a run without it.
final class ColumnCacheTests: XCTestCase {
    /// A few thousand rows: three numeric features (one with missing values), a text category,
    /// and a 0/1 label that depends on all of them.
    private func writeData(rows: Int = 3_000, seed: UInt64 = 5, in folder: URL) {
        let g = RandomGenerator(seed: seed)
        let colors = ["red", "green", "blue"]
        var text = "y,a,b,c,color\n"
        for row in 0..<rows {
            let (a, b, c) = (g.gaussian(standardDeviation: 1), 3 + g.gaussian(standardDeviation: 2), g.uniform())
            let color = colors[Int(g.uniform() * 3) % 3]
            let score = a + 0.5 * b - 1.5 + (color == "red" ? 0.7 : 0) + g.gaussian(standardDeviation: 1)
            text += "\(score > 0 ? 1 : 0),\(a),\(row % 97 == 5 ? "" : String(b)),\(c),\(color)\n"
        }
        write(text, to: "data.csv", in: folder)
    }

    /// Impute (with an indicator), split, standardize, one-hot, train, evaluate.
    private func pipeline(cache: String?, batch: String = "", epochs: Int = 20) -> String {
        """
        {"seed": 3, "stages": [
          {"stage": "ingest", "path": "data.csv", "target": "y", "categorical": ["color"], "missing": "keep"\(cache.map { #", "cache": \#($0)"# } ?? "")},
          {"stage": "impute", "columns": "numeric", "indicator": true},
          {"stage": "split", "test_fraction": 0.2},
          {"stage": "normalize", "standardize": "numeric", "one_hot": "categorical"},
          {"stage": "train", "hidden": [8], "epochs": \(epochs), "learning_rate": 0.5\(batch)},
          {"stage": "evaluate"}
        ]}
        """
    }

    private func run(_ json: String, in folder: URL) throws -> (context: PipelineContext, lines: [String]) {
        let sink = LineSink()
        let context = try runPipeline(json, in: folder, lines: sink).get()
        return (context, sink.lines)
    }

    private func cacheLine(_ lines: [String]) -> String {
        lines.first { $0.hasPrefix("Cache: ") } ?? "(no cache line)"
    }

    private func assertSameModel(_ a: TrainedModel?, _ b: TrainedModel?, tolerance: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let (a, b) = (try XCTUnwrap(a), try XCTUnwrap(b))
        XCTAssertEqual(a.features, b.features, file: file, line: line)
        XCTAssertEqual(a.network.layers.count, b.network.layers.count, file: file, line: line)
        for (x, y) in zip(a.network.layers, b.network.layers) {
            assertClose(x.weights.values, y.weights.values, tolerance: tolerance, "weights", file: file, line: line)
            assertClose(x.bias ?? [], y.bias ?? [], tolerance: tolerance, "biases", file: file, line: line)
        }
    }

    func testTheCacheIsWrittenThenReadAndGivesTheModelOfARunWithoutIt() throws {
        let folder = temporaryFolder(self)
        writeData(in: folder)
        let plain = try run(pipeline(cache: nil), in: folder)
        let first = try run(pipeline(cache: "true"), in: folder)
        XCTAssertEqual(cacheLine(first.lines), "Cache: writing \(Pipeline.display(folder.appendingPathComponent("data.csv.bpcache"))) from \(Pipeline.display(folder.appendingPathComponent("data.csv")))")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("data.csv.bpcache").path))
        let second = try run(pipeline(cache: "true"), in: folder)
        XCTAssertTrue(cacheLine(second.lines).hasPrefix("Cache: reading "), cacheLine(second.lines))
        XCTAssertTrue(cacheLine(second.lines).contains("(3000 rows, 4 features)"), cacheLine(second.lines))
        try assertSameModel(first.context.model, plain.context.model, tolerance: 1e-12)
        try assertSameModel(second.context.model, plain.context.model, tolerance: 1e-12)
        XCTAssertEqual(second.context.model?.preprocessing.map(\.state), plain.context.model?.preprocessing.map(\.state))
        XCTAssertEqual(second.context.evaluation?.probabilities.count, plain.context.evaluation?.probabilities.count)
        assertClose(second.context.evaluation?.probabilities ?? [], plain.context.evaluation?.probabilities ?? [], tolerance: 1e-12, "test probabilities")
        // Reruns from the cache write the same model file, byte for byte.
        let third = try run(pipeline(cache: "true"), in: folder)
        XCTAssertEqual(ModelFile.encode(try XCTUnwrap(third.context.model)), ModelFile.encode(try XCTUnwrap(second.context.model)))
    }

    func testACachePathRelativeToThePipelineFile() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 200, in: folder)
        let first = try run(pipeline(cache: #""caches/data.bin""#), in: folder)
        XCTAssertTrue(cacheLine(first.lines).hasPrefix("Cache: writing "), cacheLine(first.lines))
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("caches/data.bin").path))
        XCTAssertTrue(cacheLine(try run(pipeline(cache: #""caches/data.bin""#), in: folder).lines).hasPrefix("Cache: reading "))
    }

    func testAChangedCSVMakesTheCacheStaleAndItIsRebuilt() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 300, in: folder)
        _ = try run(pipeline(cache: "true"), in: folder)
        // Other rows of the same size, then the same bytes with a new modification time.
        writeData(rows: 400, seed: 6, in: folder)
        let changed = try run(pipeline(cache: "true"), in: folder)
        XCTAssertTrue(cacheLine(changed.lines).contains("is stale (the CSV has "), cacheLine(changed.lines))
        XCTAssertTrue(cacheLine(try run(pipeline(cache: "true"), in: folder).lines).contains("(400 rows"))
        let csv = folder.appendingPathComponent("data.csv").path
        var times = [timespec(tv_sec: 1_700_000_000, tv_nsec: 123), timespec(tv_sec: 1_700_000_000, tv_nsec: 123)]
        XCTAssertEqual(utimensat(AT_FDCWD, csv, &times, 0), 0)
        let touched = try run(pipeline(cache: "true"), in: folder)
        XCTAssertTrue(cacheLine(touched.lines).contains("is stale (the CSV was modified since the cache was written)"), cacheLine(touched.lines))
        XCTAssertTrue(cacheLine(try run(pipeline(cache: "true"), in: folder).lines).hasPrefix("Cache: reading "))
    }

    func testOtherIngestSettingsMakeTheCacheStale() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 300, in: folder)
        _ = try run(pipeline(cache: "true"), in: folder)
        let other = pipeline(cache: "true").replacingOccurrences(of: #""missing": "keep""#, with: #""missing": "keep", "missing_markers": ["NA"]"#)
        XCTAssertTrue(cacheLine(try run(other, in: folder).lines).contains("was written with other ingest settings; rebuilding"))
    }

    /// Runs once to write the cache, lets `damage` change the file, runs again and returns
    /// that run's cache line (the run must still succeed, from a rebuilt cache).
    private func rerunAfter(_ damage: (_ path: String, _ bytes: inout [UInt8]) -> Void) throws -> String {
        let folder = temporaryFolder(self)
        writeData(rows: 300, in: folder)
        let plain = try run(pipeline(cache: nil), in: folder)
        _ = try run(pipeline(cache: "true"), in: folder)
        let path = folder.appendingPathComponent("data.csv.bpcache").path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        damage(path, &bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let damaged = try run(pipeline(cache: "true"), in: folder)
        try assertSameModel(damaged.context.model, plain.context.model, tolerance: 1e-12)
        XCTAssertTrue(cacheLine(try run(pipeline(cache: "true"), in: folder).lines).hasPrefix("Cache: reading "), "rebuilt")
        return cacheLine(damaged.lines)
    }

    func testATruncatedCacheIsRebuilt() throws {
        let line = try rerunAfter { _, bytes in bytes.removeLast(100) }
        XCTAssertTrue(line.contains("cannot be used: it is truncated ("), line)
        XCTAssertTrue(line.contains("; rebuilding it from "), line)
        let empty = try rerunAfter { _, bytes in bytes = Array(bytes.prefix(12)) }
        XCTAssertTrue(empty.contains("it is truncated"), empty)
    }

    func testACacheOfAnotherVersionIsRebuilt() throws {
        let line = try rerunAfter { _, bytes in bytes[8] = 99 }
        XCTAssertTrue(line.contains("it has format version 99; this build reads version 2"), line)
    }

    func testADamagedHeaderIsRebuilt() throws {
        let line = try rerunAfter { _, bytes in bytes[bytes.count - 10] ^= 0x20 }
        XCTAssertTrue(line.contains("its header checksum does not match"), line)
        let foreign = try rerunAfter { _, bytes in bytes[0] = UInt8(ascii: "X") }
        XCTAssertTrue(foreign.contains("it is not a Backprop cache file"), foreign)
    }

    /// A cache file with `dataBytes` zero bytes of column data and the given JSON header after
    /// them (a correct header checksum).
    private func forgedCache(_ json: String, dataBytes: Int) -> [UInt8] {
        let text = Array(json.utf8)
        func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        let placement = bytes(UInt64(32 + dataBytes)) + bytes(UInt64(text.count))
        return Array("BPCACHE\0".utf8) + bytes(UInt32(2)) + bytes(Checksum.crc32(placement + text)) + placement
            + [UInt8](repeating: 0, count: dataBytes) + text
    }

    func testAForgedHeaderIsRefusedAndTheCacheRebuilt() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 100, in: folder)
        _ = try run(pipeline(cache: "true"), in: folder)
        let csv = #""csv": {"size": 1, "mtime_s": 1, "mtime_ns": 1, "sample_crc32": 1}, "settings": "", "row_ids": null"#
        let column = #"{"name": "a", "kind": "float64", "offset": 0, "crc32": 0}"#
        func top(rows: String, capacity: Int = 2, dataBytes: Int, features: String = column) -> String {
            "{\(csv), \"rows\": \(rows), \"capacity\": \(capacity), \"data_bytes\": \(dataBytes), \"target\": \(column), \"features\": [\(features)]}"
        }
        let cases: [(json: String, dataBytes: Int, reason: String)] = [
            ("[1, 2]", 0, "its header is malformed (not an object)"),
            (top(rows: "-4", dataBytes: 0), 0, "its header is malformed (rows)"),
            (top(rows: "1e15", dataBytes: 0), 0, "its header is malformed (rows)"),
            (top(rows: "3", dataBytes: 32), 32, "its header is malformed (rows beyond the capacity)"),
            (top(rows: "2", dataBytes: 16), 16, "its header is malformed (overlapping columns)"),
            (top(rows: "2", dataBytes: 32, features: #"{"name": "b", "kind": "float64", "offset": 12, "crc32": 0}"#), 32, "its header is malformed (offset of column 'b')"),
            (top(rows: "2", dataBytes: 32, features: #"{"name": "b", "kind": "int8", "offset": 16, "crc32": 0}"#), 32, "its header is malformed (kind \"int8\")"),
            (top(rows: "2", dataBytes: 32, features: #"{"name": "b", "kind": "float64", "offset": 16, "crc32": -1}"#), 32, "its header is malformed (crc32 of column 'b')"),
            (top(rows: "1000000", capacity: 1_000_000, dataBytes: 64, features: #"{"name": "b", "kind": "float64", "offset": 8000000, "crc32": 0}"#), 64,
             "its header is malformed (a column beyond the column data)"),
            (top(rows: "2", dataBytes: 48, features: #"{"name": "b", "kind": "float64", "offset": 16, "crc32": 0}"#), 32,
             "its header is placed at 64, after 48 bytes of column data it describes"),
            ("{\"csv\": 1", 0, "its header is not valid JSON"),
        ]
        let path = folder.appendingPathComponent("data.csv.bpcache")
        for (json, dataBytes, reason) in cases {
            try Data(forgedCache(json, dataBytes: dataBytes)).write(to: path)
            let line = cacheLine(try run(pipeline(cache: "true"), in: folder).lines)
            XCTAssertTrue(line.contains("cannot be used: \(reason)") && line.hasSuffix("rebuilding it from \(Pipeline.display(folder.appendingPathComponent("data.csv")))"), "\(json): \(line)")
        }
    }

    func testDamagedColumnDataFailsItsChecksumAndTheCacheIsRebuilt() throws {
        // One flipped bit in the codes of 'color' and in the numbers of 'b': never a wrong number.
        for name in ["color", "b"] {
            let line = try rerunAfter { path, bytes in
                let header = try! XCTUnwrap(try ColumnCache.open(path: path, name: "cache")).header
                let column = header.features.first { $0.name == name }!
                bytes[ColumnCacheHeader.prefixBytes + column.offset + 4 * 37] ^= 0x04
            }
            XCTAssertTrue(line.contains("cannot be used: the data of column '\(name)' does not match its checksum (the file is damaged); rebuilding it from "), line)
        }
    }

    func testABadCacheFieldNamesTheField() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 50, in: folder)
        for value in ["1", #""""#, "[]"] {
            let error = try XCTUnwrap(expectFailure(runPipeline(pipeline(cache: value), in: folder)))
            XCTAssertTrue(error.message.contains("stage 1 (ingest): field 'cache': expected true, false or a path"), error.message)
            XCTAssertEqual(error.category, .pipeline)
        }
        let clash = try XCTUnwrap(expectFailure(runPipeline(pipeline(cache: #""data.csv""#), in: folder)))
        XCTAssertTrue(clash.message.contains("field 'cache'") && clash.message.contains("refusing to overwrite it"), clash.message)
    }

    func testMiniBatchesFromTheCacheGiveTheSameModelAsInMemory() throws {
        let folder = temporaryFolder(self)
        writeData(in: folder)
        let batch = #", "batch": 64, "optimizer": "adam""#
        let plain = try run(pipeline(cache: nil, batch: batch, epochs: 3), in: folder)
        _ = try run(pipeline(cache: "true", batch: batch, epochs: 3), in: folder)
        let cached = try run(pipeline(cache: "true", batch: batch, epochs: 3), in: folder)
        XCTAssertTrue(cacheLine(cached.lines).hasPrefix("Cache: reading "))
        try assertSameModel(cached.context.model, plain.context.model, tolerance: 1e-12)
    }

    func testSeveralBlocksInFileOrderWithClassWeightsAndAValidationShareGiveTheModelInMemory() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 11_000, in: folder)  // 8,800 training rows: three blocks of 4,096
        for extra in ["", #", "class_weight": "balanced", "validation_fraction": 0.1"#] {
            let plain = try run(pipeline(cache: nil, batch: extra, epochs: 5), in: folder)
            _ = try run(pipeline(cache: "true", batch: extra, epochs: 5), in: folder)
            let cached = try run(pipeline(cache: "true", batch: extra, epochs: 5), in: folder)
            XCTAssertTrue(cacheLine(cached.lines).hasPrefix("Cache: reading "), cacheLine(cached.lines))
            try assertSameModel(cached.context.model, plain.context.model, tolerance: 1e-12)
            XCTAssertEqual(cached.context.model?.training["training_rows"], plain.context.model?.training["training_rows"])
            assertClose(cached.context.evaluation?.probabilities ?? [], plain.context.evaluation?.probabilities ?? [],
                        tolerance: 1e-12, "test probabilities")
            try FileManager.default.removeItem(at: folder.appendingPathComponent("data.csv.bpcache"))
        }
    }

    func testFloat32FromTheCacheIsTheFloat32ModelInMemory() throws {
        let folder = temporaryFolder(self)
        writeData(in: folder)
        let single = #", "precision": "float32""#
        let plain = try run(pipeline(cache: nil, batch: single), in: folder)
        _ = try run(pipeline(cache: "true", batch: single), in: folder)
        let cached = try run(pipeline(cache: "true", batch: single), in: folder)
        XCTAssertEqual(cached.context.model?.training["precision"], .string("float32"))
        // Full batch from the cache adds the same float32 gradients in file order.
        try assertSameModel(cached.context.model, plain.context.model, tolerance: 1e-5)
    }

    func testCrossValidationAndSeveralClassesFromTheCache() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 1_500, in: folder)
        func json(_ cache: String) -> String {
            """
            {"seed": 4, "stages": [
              {"stage": "ingest", "path": "data.csv", "target": "color", "missing": "keep"\(cache)},
              {"stage": "impute", "columns": ["b"], "strategy": "median"},
              {"stage": "split", "test_fraction": 0.25, "folds": 3},
              {"stage": "normalize", "min_max": ["a", "b"], "standardize": ["y", "c"]},
              {"stage": "train", "hidden": [6], "epochs": 15, "learning_rate": 0.3, "output_activation": "softmax", "loss": "cross_entropy"},
              {"stage": "evaluate"}
            ]}
            """
        }
        let plain = try run(json(""), in: folder)
        _ = try run(json(#", "cache": true"#), in: folder)
        let cached = try run(json(#", "cache": true"#), in: folder)
        XCTAssertTrue(cacheLine(cached.lines).hasPrefix("Cache: reading "))
        try assertSameModel(cached.context.model, plain.context.model, tolerance: 1e-12)
        let (a, b) = (try XCTUnwrap(plain.context.crossValidation), try XCTUnwrap(cached.context.crossValidation))
        assertClose((b.metric("accuracy")?.values ?? []).map { $0 ?? .nan }, (a.metric("accuracy")?.values ?? []).map { $0 ?? .nan }, tolerance: 1e-12, "fold accuracies")
        XCTAssertEqual(a.metric("accuracy")?.values.count, 3)
        XCTAssertEqual(cached.context.multiclassEvaluation?.accuracy, plain.context.multiclassEvaluation?.accuracy)
    }

    func testAMissingFeatureWithoutImputeIsNamedWithItsRow() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 300, in: folder)
        let json = pipeline(cache: "true").replacingOccurrences(of: #"{"stage": "impute", "columns": "numeric", "indicator": true},"#, with: "")
            .replacingOccurrences(of: #""standardize": "numeric", "#, with: "")
        let plain = try XCTUnwrap(expectFailure(runPipeline(json.replacingOccurrences(of: #", "cache": true"#, with: ""), in: folder)))
        let cached = try XCTUnwrap(expectFailure(runPipeline(json, in: folder)))
        XCTAssertTrue(plain.message.contains("feature 'b' is missing in data row "), plain.message)
        XCTAssertTrue(cached.message.contains("feature 'b' is missing in data row "), cached.message)
        XCTAssertEqual(cached.category, .data)
    }

    /// A stage of a user's own, which reads the dataset as it likes.
    private struct CountingStage: PipelineStage {
        static let kind = "count_rows"
        static let summary = "logs the row count"
        static let parameterHelp: [ParameterHelp] = []
        init(parameters: inout StageParameters) throws {}
        func run(_ context: inout PipelineContext) throws { context.log("rows: \(try context.requireData().rowCount)") }
    }

    func testAStageThatNeedsWholeColumnsIsRefusedWithTheCache() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 100, in: folder)
        var registry = StageRegistry.standard
        registry.register(CountingStage.self)
        let json = """
            {"stages": [{"stage": "ingest", "path": "data.csv", "target": "y", "categorical": ["color"], "missing": "keep", "cache": true},
                        {"stage": "count_rows"}]}
            """
        let file = write(json, to: "pipeline.json", in: folder)
        XCTAssertThrowsError(try Pipeline(contentsOf: file, registry: registry).run(log: { _ in })) { error in
            let message = (error as? BackpropError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("stage 2 (count_rows): cache: not supported with stage 2 (count_rows), which needs whole columns in memory"), message)
        }
    }
}
