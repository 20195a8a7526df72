import BackpropNumerics
import XCTest

/// `RunningStatistics`, fed a block at a time, gives GSL's mean, sample standard deviation and
/// bounds to the bit: the same running updates in `long double` as `gsl_stats_mean`,
/// `gsl_stats_sd_m` and `gsl_stats_minmax`.
final class RunningStatisticsTests: XCTestCase {
    /// Data sets on which a different order of operations or a double instead of a long double
    /// would show in the last bits.
    private var awkward: [(String, [Double])] {
        let g = RandomGenerator(seed: 17)
        let magnitudes: [Double] = [1e300, -1e300, 1, 1e-300, -3e-308]
        var sets: [(String, [Double])] = []
        sets.append(("one value", [3.25]))
        sets.append(("two values", [1e16, 1]))
        sets.append(("a constant", [Double](repeating: 0.1, count: 1_001)))
        sets.append(("signed zeros", [0.0, -0.0, 0.0, -0.0]))
        sets.append(("negative zero first", [-0.0, 0.0, 1, -0.0]))
        sets.append(("a large offset and tiny noise", (0..<10_000).map { (i: Int) -> Double in 1e9 + Double(i % 7) * 1e-7 }))
        sets.append(("huge and tiny magnitudes", (0..<5_000).map { (i: Int) -> Double in magnitudes[i % 5] * Double(i + 1) }))
        sets.append(("subnormals", (0..<4_000).map { (i: Int) -> Double in
            let sign: Double = i % 2 == 0 ? 1 : -1
            return Double.leastNonzeroMagnitude * Double(i % 977) * sign
        }))
        sets.append(("overflowing squares", [1.7e308, -1.7e308, 1.0e308, -0.9e308]))
        sets.append(("alternating signs", (0..<9_999).map { (i: Int) -> Double in
            let sign: Double = i % 2 == 0 ? 1 : -1
            return sign * (1 + Double(i) / 3)
        }))
        sets.append(("gaussians", (0..<100_003).map { (_: Int) -> Double in 5 + g.gaussian(standardDeviation: 1e-3) }))
        sets.append(("uniform with long mantissas", (0..<50_000).map { (_: Int) -> Double in g.uniform() * 1e6 - 123_456.789 }))
        return sets
    }

    /// Feeds `values` in blocks whose sizes are drawn by `g` (1 up to a few thousand).
    private func blocks(_ values: [Double], _ g: RandomGenerator) -> [ArraySlice<Double>] {
        var result = [ArraySlice<Double>](), start = 0
        while start < values.count {
            let size = 1 + Int(g.uniform() * 3_000)
            result.append(values[start..<min(start + size, values.count)])
            start += size
        }
        return result
    }

    func testTheMeanSampleStandardDeviationAndBoundsAreGSLsToTheBit() {
        let g = RandomGenerator(seed: 3)
        for (name, values) in awkward {
            var running = RunningStatistics()
            let parts = blocks(values, g)
            for part in parts { running.add(part) }
            for part in parts { running.addDeviations(part) }
            let mean = Statistics.mean(values)
            XCTAssertEqual(running.count, values.count, name)
            XCTAssertEqual(running.meanValue.bitPattern, mean.bitPattern, "\(name): mean \(running.meanValue) vs GSL \(mean)")
            let sd = Statistics.sampleStandardDeviation(values, mean: mean)
            XCTAssertEqual(running.sampleStandardDeviation.bitPattern, sd.bitPattern, "\(name): sd \(running.sampleStandardDeviation) vs GSL \(sd)")
            let (low, high) = try! XCTUnwrap(Statistics.minMax(values))
            XCTAssertEqual(running.bounds?.min.bitPattern, low.bitPattern, "\(name): min")
            XCTAssertEqual(running.bounds?.max.bitPattern, high.bitPattern, "\(name): max")
            // One value at a time gives the same.
            var single = RunningStatistics()
            for x in values { single.add(x) }
            for x in values { single.addDeviation(x) }
            XCTAssertEqual(single.sampleStandardDeviation.bitPattern, sd.bitPattern, name)
        }
    }

    func testTheLongDoubleMatters() {
        // A plain double running mean differs from GSL's here: the test data can tell them apart.
        let values = (0..<10_000).map { (i: Int) -> Double in 1e9 + Double(i % 7) * 1e-7 }
        var mean = 0.0
        for (i, x) in values.enumerated() { mean += (x - mean) / Double(i + 1) }
        XCTAssertNotEqual(mean.bitPattern, Statistics.mean(values).bitPattern)
    }

    func testNoValuesAndOneValue() {
        let none = RunningStatistics()
        XCTAssertTrue(none.meanValue.isNaN)
        XCTAssertNil(none.bounds)
        XCTAssertTrue(none.sampleStandardDeviation.isNaN)
        var one = RunningStatistics()
        one.add(2.5)
        one.addDeviation(2.5)
        XCTAssertEqual(one.meanValue, 2.5)
        XCTAssertTrue(one.sampleStandardDeviation.isNaN)  // as Statistics.sampleStandardDeviation
    }
}
