/// GSL's mean, sample standard deviation and bounds of values given a block at a time, so that
/// no array of all of them is needed: the same operations in the same order as
/// `gsl_stats_mean` (a running mean in `long double`, x87 80-bit on x86-64: `Float80`),
/// `gsl_stats_sd_m` (a running mean of squared deviations in `long double`) and
/// `gsl_stats_minmax`, hence the same numbers to the bit as `Statistics` gives for the values
/// in the same order (tested against GSL on awkward data).
///
/// The standard deviation needs the mean first: a first pass over the values gives the mean
/// and bounds (`add`), a second pass, in the same order, the deviations (`addDeviation`).
public struct RunningStatistics: Sendable {
    // Inlinable (so that the loops are specialized and inlined where they are used): the
    // state is visible to the client module.
    @usableFromInline var mean: Float80 = 0
    @usableFromInline var variance: Float80 = 0
    @usableFromInline var added = 0, deviationsAdded = 0
    /// Values added in the first pass.
    @inlinable public var count: Int { added }
    /// Values added in the second pass.
    @inlinable public var deviationCount: Int { deviationsAdded }
    @usableFromInline var low = 0.0, high = 0.0, sawNaN = false

    /// No values yet.
    public init() {}

    /// Adds the next value of the first pass: `mean += (x − mean) / (i + 1)`, and the bounds.
    @inlinable public mutating func add(_ x: Double) {
        mean += (Float80(x) - mean) / Float80(added + 1)
        // gsl_stats_minmax: the first value starts both bounds; a NaN makes both NaN and stops.
        if count == 0 {
            (low, high) = (x, x)
        } else if !sawNaN {
            if x < low { low = x }
            if x > high { high = x }
        }
        if x.isNaN, !sawNaN { (low, high, sawNaN) = (x, x, true) }
        added += 1
    }

    /// Adds every value of `values` to the first pass, in order.
    @inlinable public mutating func add(_ values: some Sequence<Double>) {
        for x in values { add(x) }
    }

    /// The mean of the first pass, as `Statistics.mean`; NaN for no values.
    @inlinable public var meanValue: Double { count == 0 ? .nan : Double(mean) }

    /// The bounds of the first pass, as `Statistics.minMax`; nil for no values.
    @inlinable public var bounds: (min: Double, max: Double)? { count == 0 ? nil : (low, high) }

    /// Adds the next value of the second pass (the values of the first, in the same order):
    /// `variance += (δ² − variance) / (i + 1)` with `δ = x − mean` rounded to a double first.
    @inlinable public mutating func addDeviation(_ x: Double) {
        let delta = Float80(x - meanValue)
        variance += (delta * delta - variance) / Float80(deviationsAdded + 1)
        deviationsAdded += 1
    }

    /// Adds every value of `values` to the second pass, in order.
    @inlinable public mutating func addDeviations(_ values: some Sequence<Double>) {
        let center = meanValue
        for x in values {
            let delta = Float80(x - center)
            variance += (delta * delta - variance) / Float80(deviationsAdded + 1)
            deviationsAdded += 1
        }
    }

    /// The sample standard deviation (divisor n − 1) around the mean, as
    /// `Statistics.sampleStandardDeviation`; NaN for fewer than two values.
    /// - Precondition: the second pass has seen as many values as the first.
    @inlinable public var sampleStandardDeviation: Double {
        precondition(deviationCount == count, "the second pass goes over the values of the first")
        guard count > 1 else { return .nan }
        let n = Double(count)
        return (Double(variance) * (n / (n - 1))).squareRoot()
    }
}
