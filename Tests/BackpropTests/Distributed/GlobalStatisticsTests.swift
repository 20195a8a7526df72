@testable import Backprop
import BackpropNumerics
import Foundation
import XCTest

/// Preprocessing statistics over the rows of several processes (threads of a fake job): the
/// values shared out unevenly (one process may have none) give what GSL gives on all of them at
/// once, to 1e-12 relative; bounds, medians and counts exactly.
final class GlobalStatisticsTests: XCTestCase {
    /// Deterministic values: a large offset with small spread (where Σx² − n·mean² loses every
    /// digit), repeated values, negatives and both zeros.
    private func values(_ count: Int, offset: Double = 1e9, zeros: Bool = true) -> [Double] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { index in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit = Double(state >> 11) / Double(1 << 53)
            switch index % 7 {
            case 0: return offset + 0.5
            case 1 where zeros: return index % 2 == 0 ? -0.0 : 0.0
            default: return offset + (unit - 0.5) * 1e-3 * Double(index % 5 + 1)
            }
        }
    }

    /// `values` cut into `ranks` uneven contiguous shares, the second one empty when there are
    /// three or more ranks.
    private func shares(_ values: [Double], ranks: Int) -> [[Double]] {
        var cuts = (0...ranks).map { values.count * $0 * $0 / (ranks * ranks) }
        if ranks >= 3 { cuts[2] = cuts[1] }
        return (0..<ranks).map { Array(values[cuts[$0]..<cuts[$0 + 1]]) }
    }

    private func assertRelative(_ actual: Double, _ expected: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(abs(actual - expected), 1e-12 * abs(expected), "\(what): \(actual) vs \(expected)", file: file, line: line)
    }

    func testMeanAndStandardDeviationMatchGSLOnAllValues() throws {
        for (count, zeros) in [(1, true), (2, true), (1000, true), (20_001, true), (1000, false), (20_001, false)] {
            let all = values(count, zeros: zeros)
            let mean = Statistics.mean(all)
            let sd = count > 1 ? Statistics.sampleStandardDeviation(all, mean: mean) : 0
            for ranks in 1...4 {
                let parts = shares(all, ranks: ranks)
                let results = ThreadedProcessGroup.run(ranks: ranks) { group in
                    try GlobalStatistics.meanAndStandardDeviation(parts[group.rank], group: group)
                }
                for result in results {
                    let got = try result.get()
                    XCTAssertEqual(got.count, count)
                    assertRelative(got.mean, mean, "\(count) values, \(ranks) ranks: mean")
                    assertRelative(got.standardDeviation, sd, "\(count) values, \(ranks) ranks: sd")
                    if ranks == 1 {  // one process: GSL's own numbers, to the bit
                        XCTAssertEqual(got.mean.bitPattern, mean.bitPattern)
                        XCTAssertEqual(got.standardDeviation.bitPattern, sd.bitPattern)
                    }
                }
            }
        }
    }

    /// Why the sums are centred: Σx² − n·mean² on these values is off by far more than 1e-12.
    func testTheTextbookOnePassFormulaWouldFailHere() {
        let all = values(20_001, zeros: false)
        let mean = Statistics.mean(all)
        let onePass = ((all.reduce(0) { $0 + $1 * $1 } - Double(all.count) * mean * mean) / Double(all.count - 1)).squareRoot()
        let sd = Statistics.sampleStandardDeviation(all, mean: mean)
        XCTAssertGreaterThan(abs(onePass - sd) / sd, 1e-6)
    }

    func testBoundsMediansAndMostFrequentAreExact() throws {
        for count in [1, 2, 7, 1000, 1001] {
            let all = values(count, offset: -3)
            let bounds = Statistics.minMax(all)!
            let median = Statistics.median(all)
            var counts = [Double: Int]()
            for value in all { counts[value, default: 0] += 1 }
            let mostFrequent = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
            for ranks in 1...4 {
                let parts = shares(all, ranks: ranks)
                let results = ThreadedProcessGroup.run(ranks: ranks) { group in
                    (try GlobalStatistics.bounds(parts[group.rank], group: group)!,
                     try GlobalStatistics.median(parts[group.rank], group: group)!,
                     try GlobalStatistics.mostFrequent(parts[group.rank], group: group)!)
                }
                for result in results {
                    let (gotBounds, gotMedian, gotMostFrequent) = try result.get()
                    XCTAssertEqual(gotBounds.min, bounds.min, "\(count) values, \(ranks) ranks")
                    XCTAssertEqual(gotBounds.max, bounds.max, "\(count) values, \(ranks) ranks")
                    XCTAssertEqual(gotMedian, median, "\(count) values, \(ranks) ranks: median")
                    XCTAssertEqual(gotMostFrequent, mostFrequent, "\(count) values, \(ranks) ranks: most frequent")
                }
            }
        }
    }

    func testAMedianByHand() throws {
        let parts: [[Double]] = [[5, -1], [], [3, 3, 10], [2]]  // sorted: -1 2 3 3 5 10 → (3 + 3) / 2
        let results = ThreadedProcessGroup.run(ranks: 4) { group in
            (try GlobalStatistics.median(parts[group.rank], group: group),
             try GlobalStatistics.median(group.rank == 2 ? [10, 3] : [], group: group),
             try GlobalStatistics.median([], group: group))
        }
        for result in results {
            let (even, two, none) = try result.get()
            XCTAssertEqual(even, 3)
            XCTAssertEqual(two, 6.5)
            XCTAssertNil(none)
        }
    }

    func testOrderedKeysKeepTheOrderOfDoubles() {
        let sorted: [Double] = [-.infinity, -1e300, -1, -.leastNonzeroMagnitude, -0.0, 0, .leastNonzeroMagnitude, 1, 1e300, .infinity]
        let keys = sorted.map(GlobalStatistics.orderedKey)
        XCTAssertEqual(keys, keys.sorted())
        XCTAssertEqual(Set(keys).count, keys.count)
        for value in sorted { XCTAssertEqual(GlobalStatistics.value(ofKey: GlobalStatistics.orderedKey(value)).bitPattern, value.bitPattern) }
    }

    func testLabelCountsAddUpAcrossProcesses() throws {
        let parts = [["a", "b", "a"], [], ["c"], ["b", "a", "é"]]
        let results = ThreadedProcessGroup.run(ranks: 4) { group in try GlobalStatistics.labelCounts(parts[group.rank], group: group) }
        for result in results { XCTAssertEqual(try result.get(), ["a": 3, "b": 2, "c": 1, "é": 1]) }
    }
}
