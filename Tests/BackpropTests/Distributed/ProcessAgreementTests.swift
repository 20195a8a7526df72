import Backprop
import Foundation
import XCTest

/// The collectives of the in-process fake job, and the runner's agreement after every stage: a
/// failure on one rank stops every rank with that rank's message, and nobody hangs.
final class ProcessAgreementTests: XCTestCase {
    func testCollectivesCombineEveryRankInRankOrder() throws {
        let results = ThreadedProcessGroup.run(ranks: 3) { group -> ([Double], [Double], [Double], [Int64], [[UInt8]]) in
            var sums = [Double(group.rank), 1]
            try group.sum(&sums)
            var highest = [Double(group.rank) * 10]
            try group.maximum(&highest)
            var lowest = [Double(group.rank) - 5]
            try group.minimum(&lowest)
            var counts: [Int64] = [Int64(group.rank + 1)]
            try group.sum(&counts)
            let bytes = try group.gather(Array(repeating: UInt8(group.rank), count: group.rank))
            return (sums, highest, lowest, counts, bytes)
        }
        for result in results {
            let (sums, highest, lowest, counts, bytes) = try result.get()
            XCTAssertEqual(sums, [0 + 1 + 2, 3])
            XCTAssertEqual(highest, [20])
            XCTAssertEqual(lowest, [-5])
            XCTAssertEqual(counts, [6])
            XCTAssertEqual(bytes, [[], [1], [2, 2]])
        }
    }

    func testAgreementThrowsTheLowestFailingRanksErrorEverywhere() {
        let results = ThreadedProcessGroup.run(ranks: 4) { group in
            let mine = group.rank == 2 ? BackpropError(.data, "rank two's data is bad")
                : group.rank == 3 ? BackpropError(.training, "rank three diverged") : nil
            try group.agree(mine)
        }
        for result in results {
            XCTAssertThrowsError(try result.get()) { error in
                XCTAssertEqual(error as? BackpropError, BackpropError(.data, "rank two's data is bad"))
            }
        }
        let fine = ThreadedProcessGroup.run(ranks: 2) { group in try group.agree(nil) }
        for result in fine { XCTAssertNoThrow(try result.get()) }
    }

    /// A stage that fails on rank 1 only stops the pipeline on all ranks, with rank 1's message
    /// located in the pipeline file and stage, and the same category (exit code) everywhere.
    func testAStageFailingOnOneRankStopsEveryRank() throws {
        let folder = temporaryFolder(self)
        let file = write("""
            {"stages": [{"stage": "fails_on_rank_one"}, {"stage": "fails_on_rank_one"}]}
            """, to: "p.json", in: folder)
        let results = ThreadedProcessGroup.run(ranks: 3) { group in
            var registry = StageRegistry.standard  // each rank reads the pipeline, as under mpirun
            registry.register(FailsOnRankOne.self)
            return try Pipeline(contentsOf: file, registry: registry).run(log: { _ in }, group: group).stageIndex
        }
        for result in results {
            XCTAssertThrowsError(try result.get()) { error in
                let error = error as? BackpropError
                XCTAssertEqual(error?.category, .data)
                XCTAssertEqual(error?.message, "\(file.relativePath): stage 1 (fails_on_rank_one): rank 1 read a bad line")
            }
        }
    }
}

/// A test stage that fails on rank 1 of a job and succeeds everywhere else.
private struct FailsOnRankOne: PipelineStage {
    static let kind = "fails_on_rank_one"
    static let summary = "fails on rank 1"
    static let parameterHelp: [ParameterHelp] = []
    init(parameters: inout StageParameters) throws {}
    func run(_ context: inout PipelineContext) throws {
        if context.group.rank == 1 { throw context.error(.data, "rank 1 read a bad line") }
    }
}
