import BackpropNumerics
import FoundationEssentials
import XCTest

@testable import Backprop

/// The ways the cache path avoids a list of every row: a set of rows as one bit per row served
/// in file order, row ids that are the rows' positions, and a split drawn in place.
final class RowListsTests: XCTestCase {
    func testARowBitmapServesItsRowsAscendingAtAnyRanks() {
        let g = RandomGenerator(seed: 9)
        let rowCount = 20_000
        let rows = Array(g.shuffled(Array(0..<rowCount)).prefix(13_001))
        let set = RowBitmap(rows: rows, rowCount: rowCount)
        let sorted = rows.sorted()
        XCTAssertEqual(set.count, sorted.count)
        // Consecutive ranks (a block of full-batch training), from the start and from mid-way.
        for range in [0..<4_096, 4_096..<8_192, 12_288..<13_001, 5..<4_000, 13_000..<13_001] {
            let ranks = Array(range)
            XCTAssertEqual(ranks.withUnsafeBufferPointer { set.rows(at: $0) }, ranks.map { sorted[$0] }, "ranks \(range)")
        }
        // Any ranks, in any order.
        let scattered = (0..<500).map { _ in Int(g.uniform() * Double(sorted.count)) }
        XCTAssertEqual(scattered.withUnsafeBufferPointer { set.rows(at: $0) }, scattered.map { sorted[$0] })
        // The first and last rows of the data, and words left empty.
        let edges = RowBitmap(rows: [19_999, 0, 63, 64, 5_000], rowCount: rowCount)
        XCTAssertEqual(Array(0..<5).withUnsafeBufferPointer { edges.rows(at: $0) }, [0, 63, 64, 5_000, 19_999])
    }

    func testRowIDsThatAreThePositionsNeedNoListAndBehaveAsOne() {
        let target = Column(name: "y", values: .numeric([1, 0, 1, 1]))
        let implicit = Dataset(source: "s", features: [Column(name: "a", values: .numeric([5, 6, 7, 8]))], target: target, rowCount: 4)
        let listed = Dataset(source: "s", features: [Column(name: "a", values: .numeric([5, 6, 7, 8]))], target: target, rowIDs: [0, 1, 2, 3])
        XCTAssertEqual(implicit.rowCount, 4)
        XCTAssertEqual(implicit.rowIDs, [0, 1, 2, 3])
        XCTAssertEqual((0..<4).map(implicit.rowID(at:)), [0, 1, 2, 3])
        XCTAssertEqual(implicit, listed)
        XCTAssertEqual(implicit.subset([3, 1]).rowIDs, [3, 1])
        XCTAssertEqual(implicit.withFeatures([]).rowCount, 4)
        let other = Dataset(source: "s", features: [Column(name: "a", values: .numeric([5, 6, 7, 8]))], target: target, rowIDs: [0, 1, 2, 4])
        XCTAssertNotEqual(implicit, other)
        XCTAssertEqual(other.rowID(at: 3), 4)
    }

    func testAShuffleInPlaceOfFourByteRowsIsTheShuffleOfAListOfInt() {
        // Mini-batch epochs draw their order as [UInt32]: the same permutation as before.
        let rows = 10_007
        var compact = (0..<rows).map { UInt32($0) }
        RandomGenerator(seed: 23).shuffle(&compact)
        let wide = RandomGenerator(seed: 23).shuffled(Array(0..<rows))
        XCTAssertEqual(compact.map { Int($0) }, wide)
        XCTAssertNotEqual(wide, Array(0..<rows))
    }

    func testTheRandomSplitIsTheShuffleOfEveryRowWithTheTestRowsTakenOffItsFront() throws {
        let rows = 1_001
        let data = Dataset(source: "s", features: [], target: Column(name: "y", values: .numeric(Array(repeating: 0, count: rows))),
                           rowCount: rows)
        var parameters = StageParameters(index: 0, kind: "split", fields: ["test_fraction": .number(0.25), "seed": .number(17)],
                                         pipelineFile: URL(fileURLWithPath: "/tmp/p.json"), derivedSeed: 0)
        let stage = try SplitStage(parameters: &parameters)
        var context = PipelineContext(log: { _ in })
        context.data = data
        try stage.run(&context)
        // The permutation drawn as before: a copy of 0..<rows shuffled by gsl_ran_shuffle.
        let order = RandomGenerator(seed: 17).shuffled(Array(0..<rows))
        let split = try XCTUnwrap(context.split)
        XCTAssertEqual(split.test, order[..<250].sorted())
        XCTAssertEqual(split.train, Array(order[250...]))
    }

    func testARowListReadsTheSamePositionsWideOrNarrow() {
        let positions = [7, 3, 4_000_000_000, 0, 12]
        var narrow = RowList(narrow: [7, 3])
        XCTAssertTrue(narrow.isNarrow)
        for row in positions.dropFirst(2) { narrow.append(row) }  // 4e9 fits in 32 bits
        XCTAssertTrue(narrow.isNarrow)
        XCTAssertEqual(narrow, RowList(positions))
        XCTAssertEqual(narrow.array, positions)
        XCTAssertEqual(narrow.sorted().array, positions.sorted())
        XCTAssertTrue(narrow.sorted().isNarrow)
        narrow.append(1 << 33)  // does not fit: the list becomes wide, the positions stay
        XCTAssertFalse(narrow.isNarrow)
        XCTAssertEqual(narrow.array, positions + [1 << 33])
        XCTAssertNotEqual(RowList([1, 2]), RowList(narrow: [2, 1]))
    }

    func testTheSplitOfDataFromACacheIsTheSameSplitIn4BytesPerRow() throws {
        let folder = temporaryFolder(self)
        var text = "y,x\n"
        for row in 0..<5_000 { text += "\(row % 3 == 0 ? 1 : 0),\(Double(row) / 7)\n" }
        write(text, to: "data.csv", in: folder)
        let trainAndEvaluate = #"{"stage": "train", "hidden": [2], "epochs": 1, "learning_rate": 0.1}, {"stage": "evaluate"}"#
        for split in [#"{"stage": "split", "test_fraction": 0.2, "seed": 4}"#, #"{"stage": "split", "folds": 3, "seed": 4}"#] {
            func json(_ cache: String) -> String {
                #"{"stages": [{"stage": "ingest", "path": "data.csv", "target": "y"\#(cache)}, \#(split), \#(trainAndEvaluate)]}"#
            }
            let plain = try XCTUnwrap(try runPipeline(json(""), in: folder).get().split)
            _ = try runPipeline(json(#", "cache": true"#), in: folder).get()
            let cached = try XCTUnwrap(try runPipeline(json(#", "cache": true"#), in: folder).get().split)
            XCTAssertFalse(plain.trainRows.isNarrow)
            XCTAssertTrue(cached.trainRows.isNarrow)
            XCTAssertTrue(cached.testRows.isNarrow || cached.test.isEmpty)
            XCTAssertEqual(cached.train, plain.train, split)
            XCTAssertEqual(cached.test, plain.test, split)
            XCTAssertEqual(cached, plain)
        }
    }

    func testExplicitRowsAreFoundWithoutATableOfEveryRowAndGiveTheSplitInMemory() throws {
        let folder = temporaryFolder(self)
        var text = "y,x\n"
        for row in 0..<3_000 { text += "\(row % 3 == 0 ? 1 : 0),\(row % 101 == 7 ? "" : String(Double(row) / 7))\n" }
        write(text, to: "data.csv", in: folder)
        func json(_ cache: String, _ split: String) -> String {
            #"{"stages": [{"stage": "ingest", "path": "data.csv", "target": "y", "missing": "drop"\#(cache)}, {"stage": "split", \#(split)}]}"#
        }
        for split in [#""train_rows": [2999, 0, 1500, 9, 1]"#, #""train_rows": [3, 4, 5], "test_rows": [2998, 6]"#] {
            let plain = try XCTUnwrap(try runPipeline(json("", split), in: folder).get().split)
            _ = try runPipeline(json(#", "cache": true"#, split), in: folder).get()
            let cached = try XCTUnwrap(try runPipeline(json(#", "cache": true"#, split), in: folder).get().split)
            XCTAssertEqual(cached, plain)
            XCTAssertFalse(cached.test.isEmpty)
        }
        let plain = try XCTUnwrap(try runPipeline(json("", #""train_rows": [2999, 0, 1500]"#), in: folder).get())
        XCTAssertEqual(plain.split?.train.map { plain.data!.rowID(at: $0) }, [2999, 0, 1500])
        XCTAssertEqual(plain.split?.test.count, plain.data!.rowCount - 3)
        XCTAssertEqual(plain.split?.test, plain.split?.test.sorted())
        // Rows dropped at ingest (7, 108, …) and rows beyond the file are named, with and without a cache.
        for cache in ["", #", "cache": true"#] {
            let dropped = try XCTUnwrap(expectFailure(runPipeline(json(cache, #""train_rows": [1, 108]"#), in: folder)))
            XCTAssertTrue(dropped.message.contains("data row 108 was dropped at ingest"), dropped.message)
            let beyond = try XCTUnwrap(expectFailure(runPipeline(json(cache, #""train_rows": [1, 3000]"#), in: folder)))
            XCTAssertTrue(beyond.message.contains("data row 3000 does not exist"), beyond.message)
        }
        // Ids that do not ascend (a dataset made by hand) are found through a table.
        let data = Dataset(source: "s", features: [], target: Column(name: "y", values: .numeric([0, 1, 0])), rowIDs: [5, 2, 9])
        let lookup = SplitStage.RowIDLookup(data)
        XCTAssertEqual([9, 5, 2, 4].map { lookup.position(of: $0) }, [2, 0, 1, nil])
        XCTAssertEqual(SplitStage.positions(notIn: [2, 0], of: data), [1])
    }
}
