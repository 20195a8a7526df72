import BackpropNumerics

/// The statistics preprocessing fits, over the fitting rows of every process of a group: each
/// process passes the values of its own rows and every process gets the same result, the one a
/// single process holding all rows would compute.
///
/// A group of one process takes the GSL path of `Statistics` unchanged (results bit-identical to
/// a run without processes). Over several processes:
/// - mean: each process's sum (Neumaier-compensated) and count, summed over the processes;
/// - sample standard deviation: a second pass, Σ(x − mean)² around the global mean (compensated),
///   summed, divided by n − 1; never Σx² − n·mean²;
/// - minimum and maximum: reduced as they are (exact);
/// - median: an exact distributed selection, a bisection over the 64-bit order of doubles, at
///   most 65 sums of two counts (no values sent);
/// - most frequent value and label counts: each process's distinct values with their counts,
///   gathered (the cost grows with the number of distinct values, not of rows).
enum GlobalStatistics {
    /// The number of values and their mean (NaN when there are none anywhere).
    static func mean(_ values: [Double], group: any ProcessGroup) throws -> (count: Int, mean: Double) {
        guard group.size > 1 else { return (values.count, Statistics.mean(values)) }
        let local = compensatedSum(values)
        var sums = [local.sum, local.compensation, Double(values.count)]
        try group.sum(&sums)
        let count = Int(sums[2])
        return (count, count > 0 ? (sums[0] + sums[1]) / Double(count) : .nan)
    }

    /// The number of values, their mean and sample standard deviation (divisor n − 1; 0 for a
    /// single value, NaN for none).
    static func meanAndStandardDeviation(_ values: [Double], group: any ProcessGroup) throws -> (count: Int, mean: Double, standardDeviation: Double) {
        guard group.size > 1 else {
            let mean = Statistics.mean(values)
            return (values.count, mean, values.count > 1 ? Statistics.sampleStandardDeviation(values, mean: mean) : values.isEmpty ? .nan : 0)
        }
        let (count, mean) = try self.mean(values, group: group)
        guard count > 0 else { return (0, .nan, .nan) }
        let local = compensatedSum(values.lazy.map { ($0 - mean) * ($0 - mean) })
        var squares = [local.sum, local.compensation]
        try group.sum(&squares)
        return (count, mean, count > 1 ? ((squares[0] + squares[1]) / Double(count - 1)).squareRoot() : 0)
    }

    /// The smallest and largest value, or nil when there are none anywhere.
    static func bounds(_ values: [Double], group: any ProcessGroup) throws -> (min: Double, max: Double)? {
        guard group.size > 1 else { return Statistics.minMax(values) }
        let local = Statistics.minMax(values)
        var extremes = [-(local?.min ?? .infinity), local?.max ?? -.infinity]
        try group.maximum(&extremes)
        return extremes[1] >= -extremes[0] ? (-extremes[0], extremes[1]) : nil
    }

    /// The median (the mean of the two middle values for an even count, as GSL's), or nil when
    /// there are no values anywhere. The values must not be NaN.
    static func median(_ values: [Double], group: any ProcessGroup) throws -> Double? {
        guard group.size > 1 else { return values.isEmpty ? nil : Statistics.median(values) }
        var total: [Int64] = [Int64(values.count)]
        try group.sum(&total)
        guard total[0] > 0 else { return nil }
        let keys = values.map(orderedKey).sorted()
        // The smallest key with more than `k` values at or below it is the k-th smallest value.
        let wanted = [(total[0] - 1) / 2, total[0] / 2]
        var low: [UInt64] = [0, 0], high: [UInt64] = [.max, .max]
        while low != high {
            let middle = (0..<2).map { low[$0] + (high[$0] - low[$0]) / 2 }
            var atMost = middle.map { Int64(countAtMost($0, in: keys)) }
            try group.sum(&atMost)
            for index in 0..<2 where low[index] < high[index] {
                if atMost[index] > wanted[index] { high[index] = middle[index] } else { low[index] = middle[index] + 1 }
            }
        }
        let lower = value(ofKey: low[0]), upper = value(ofKey: low[1])
        return wanted[0] == wanted[1] ? lower : (lower + upper) / 2
    }

    /// The most frequent value (ties: the smallest), or nil when there are no values anywhere.
    static func mostFrequent(_ values: [Double], group: any ProcessGroup) throws -> Double? {
        var counts = [Double: Int]()
        for value in values { counts[value, default: 0] += 1 }
        if group.size > 1 {
            var bytes = [UInt8]()
            for (value, count) in counts {
                append(value.bitPattern, to: &bytes)
                append(UInt64(count), to: &bytes)
            }
            counts = [:]
            for rankBytes in try group.gather(bytes) {
                var offset = 0
                while offset + 16 <= rankBytes.count {
                    let value = Double(bitPattern: read(rankBytes, at: offset))
                    counts[value, default: 0] += Int(read(rankBytes, at: offset + 8))
                    offset += 16
                }
            }
        }
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
    }

    /// How many times each label occurs over every process.
    static func labelCounts(_ labels: some Sequence<String>, group: any ProcessGroup) throws -> [String: Int] {
        var counts = [String: Int]()
        for label in labels { counts[label, default: 0] += 1 }
        guard group.size > 1 else { return counts }
        var bytes = [UInt8]()
        for (label, count) in counts {
            append(UInt64(count), to: &bytes)
            append(UInt64(label.utf8.count), to: &bytes)
            bytes.append(contentsOf: label.utf8)
        }
        counts = [:]
        for rankBytes in try group.gather(bytes) {
            var offset = 0
            while offset + 16 <= rankBytes.count {
                let count = Int(read(rankBytes, at: offset)), length = Int(read(rankBytes, at: offset + 8))
                offset += 16
                guard length <= rankBytes.count - offset else {
                    throw BackpropError(.pipeline, "the label counts gathered from the processes are malformed")
                }
                counts[String(decoding: rankBytes[offset..<offset + length], as: UTF8.self), default: 0] += count
                offset += length
            }
        }
        return counts
    }

    /// The sum of `count` over every process.
    static func total(_ count: Int, group: any ProcessGroup) throws -> Int {
        guard group.size > 1 else { return count }
        var counts: [Int64] = [Int64(count)]
        try group.sum(&counts)
        return Int(counts[0])
    }

    /// Whether `flag` holds on any process.
    static func any(_ flag: Bool, group: any ProcessGroup) throws -> Bool {
        guard group.size > 1 else { return flag }
        var count: [Int64] = [flag ? 1 : 0]
        try group.sum(&count)
        return count[0] > 0
    }

    /// A sum with Neumaier's compensation: `sum + compensation` is the sum to about one rounding.
    static func compensatedSum(_ values: some Sequence<Double>) -> (sum: Double, compensation: Double) {
        var sum = 0.0, compensation = 0.0
        for value in values {
            let next = sum + value
            compensation += abs(sum) >= abs(value) ? (sum - next) + value : (value - next) + sum
            sum = next
        }
        return (sum, compensation)
    }

    /// A key whose unsigned order is the order of the doubles (−0 just below +0).
    static func orderedKey(_ value: Double) -> UInt64 {
        let bits = value.bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// The double of a key made by `orderedKey`.
    static func value(ofKey key: UInt64) -> Double {
        key & (1 << 63) != 0 ? Double(bitPattern: key & ~(1 << 63)) : Double(bitPattern: ~key)
    }

    /// How many of the sorted `keys` are at most `key`.
    private static func countAtMost(_ key: UInt64, in keys: [UInt64]) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] <= key { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func read(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<offset + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
