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
}
