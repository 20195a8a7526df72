import BackpropNumerics
import FoundationEssentials
import XCTest

@testable import Backprop

/// Normalize fitted from a cache gives the steps it gives in memory, to the bit: without a split
/// each column is read a block at a time and nothing per row is kept; after a split the column
/// is read whole and its training rows taken in training order.
final class CachedFittingTests: XCTestCase {
    /// `rows` rows: a feature with a large offset and tiny noise (where a different order or
    /// precision of the running mean shows), one with a range, a constant one, a text one; the
    /// row `noTargetAt` has no target (left out at ingest, so later rows' ids are not their positions).
    private func writeData(rows: Int, missingAt: Int? = nil, noTargetAt: Int? = nil, in folder: URL) {
        let g = RandomGenerator(seed: 21)
        var text = "y,offset,wide,flat,color\n"
        for row in 0..<rows {
            let offset = 1e9 + Double(row % 7) * 1e-7
            let wide = row == 0 ? -0.0 : g.gaussian(standardDeviation: 50)
            let color = ["red", "green"][Int(g.uniform() * 2) % 2]
            let y = wide / 100 + g.gaussian(standardDeviation: 0.5) > 0 ? 1 : 0
            text += "\(row == noTargetAt ? "" : String(y)),\(offset),\(row == missingAt ? "" : String(wide)),7.5,\(color)\n"
        }
        write(text, to: "data.csv", in: folder)
    }

    private func json(cache: Bool, split: Bool, impute: String = "",
                      normalize: String = #""standardize": ["offset", "flat"], "min_max": ["wide"], "one_hot": ["color"]"#) -> String {
        """
        {"seed": 8, "stages": [
          {"stage": "ingest", "path": "data.csv", "target": "y", "missing": "keep"\(cache ? #", "cache": true"# : "")},
          \(split ? #"{"stage": "split", "test_fraction": 0.3},"# : "")
          \(impute.isEmpty ? "" : #"{"stage": "impute", \#(impute)},"#)
          {"stage": "normalize", \(normalize)},
          {"stage": "train", "hidden": [3], "epochs": 3, "learning_rate": 0.5}
        ]}
        """
    }

    private func run(_ json: String, in folder: URL) throws -> (context: PipelineContext, lines: [String]) {
        let sink = LineSink()
        return (try runPipeline(json, in: folder, lines: sink).get(), sink.lines)
    }

    func testTheFittedStepsFromTheCacheAreTheStepsInMemoryToTheBit() throws {
        let folder = temporaryFolder(self)
        writeData(rows: CachedFeatures.fittingBlockRows + 5_000, in: folder)  // two blocks
        for split in [false, true] {
            let plain = try run(json(cache: false, split: split), in: folder)
            _ = try run(json(cache: true, split: split), in: folder)
            let cached = try run(json(cache: true, split: split), in: folder)
            XCTAssertTrue(cached.lines.contains { $0.hasPrefix("Cache: reading ") })
            let (a, b) = (try XCTUnwrap(plain.context.model), try XCTUnwrap(cached.context.model))
            XCTAssertEqual(a.preprocessing.count, 4)
            // The same JSON numbers, so the same doubles (a negative zero included).
            XCTAssertEqual(JSONWriter.serialize(.array(b.preprocessing.map { .object($0.state) })),
                           JSONWriter.serialize(.array(a.preprocessing.map { .object($0.state) })), "split: \(split)")
            let warning = { (lines: [String]) in lines.first { $0.hasPrefix("WARNING - ") } }
            XCTAssertEqual(warning(cached.lines), warning(plain.lines))
            XCTAssertNotNil(warning(plain.lines))
            for (x, y) in zip(a.network.layers, b.network.layers) {
                assertClose(y.weights.values, x.weights.values, tolerance: 1e-12, "weights")
            }
            try FileManager.default.removeItem(at: folder.appendingPathComponent("data.csv.bpcache"))
        }
    }

    func testAMissingOrCategoricalValueIsRefusedFromTheCacheAsInMemory() throws {
        let folder = temporaryFolder(self)
        writeData(rows: 3_000, missingAt: 2_222, noTargetAt: 5, in: folder)
        for split in [false, true] {
            for normalize in [#""standardize": ["wide"]"#, #""min_max": ["wide"]"#, #""standardize": ["color"]"#] {
                let plain = try XCTUnwrap(expectFailure(runPipeline(json(cache: false, split: split, normalize: normalize), in: folder)))
                _ = runPipeline(json(cache: true, split: split, normalize: normalize), in: folder)
                let cached = try XCTUnwrap(expectFailure(runPipeline(json(cache: true, split: split, normalize: normalize), in: folder)))
                XCTAssertEqual(cached.message, plain.message)
                XCTAssertEqual(cached.category, .data)
                XCTAssertTrue(plain.message.contains(normalize.contains("color") ? "categorical" : "(the first in data row "), plain.message)
            }
        }
    }

    func testTheMeanImputedFromTheCacheIsTheMeanInMemoryToTheBit() throws {
        let folder = temporaryFolder(self)
        writeData(rows: CachedFeatures.fittingBlockRows + 3_000, missingAt: 40_000, in: folder)
        let impute = #""columns": ["wide", "offset"], "indicator": true"#
        let normalize = #""standardize": ["offset", "wide"], "one_hot": ["color"]"#
        for split in [false, true] {
            let plain = try run(json(cache: false, split: split, impute: impute, normalize: normalize), in: folder)
            _ = try run(json(cache: true, split: split, impute: impute, normalize: normalize), in: folder)
            let cached = try run(json(cache: true, split: split, impute: impute, normalize: normalize), in: folder)
            let (a, b) = (try XCTUnwrap(plain.context.model), try XCTUnwrap(cached.context.model))
            XCTAssertEqual(a.preprocessing.map { $0.state["strategy"] }, [.string("mean"), .string("mean"), nil, nil, nil])
            if !split {
                XCTAssertEqual(a.preprocessing.map { $0.state["indicator"] }.compactMap { $0 }, [.bool(true), .bool(false)], "only 'wide' misses a value")
            }
            XCTAssertEqual(JSONWriter.serialize(.array(b.preprocessing.map { .object($0.state) })),
                           JSONWriter.serialize(.array(a.preprocessing.map { .object($0.state) })), "split: \(split)")
            try FileManager.default.removeItem(at: folder.appendingPathComponent("data.csv.bpcache"))
        }
    }
}
