import BackpropNumerics

extension EvaluateStage {
    /// What the metrics need of the training rows' targets: counts and a sum, which several
    /// processes add up.
    struct TrainingTargets {
        /// Training rows.
        var count: Int
        /// Rows whose target is 1.
        var positives: Int
        /// Rows per class position (for as many classes as the model has outputs).
        var classCounts: [Int]
        /// The sum of the targets.
        var sum: Double
        /// Whether a target is neither 0 nor 1.
        var nonBinary: Bool

        /// The summary of `targets`.
        init(_ targets: [Double], classCount: Int) {
            self.init(classCount: classCount)
            add(targets)
        }

        /// The summary of no targets yet.
        init(classCount: Int) {
            (count, positives, sum, nonBinary) = (0, 0, 0, false)
            classCounts = Array(repeating: 0, count: classCount)
        }

        /// Adds `targets` (the next ones in order: the sum is added in order).
        mutating func add(_ targets: [Double]) {
            count += targets.count
            for target in targets {
                if target == 1 { positives += 1 }
                if target >= 0, target < Double(classCounts.count), target == target.rounded(.down) { classCounts[Int(target)] += 1 }
                sum += target
                if target != 0 && target != 1 { nonBinary = true }
            }
        }

        /// The summary of the training targets of every process.
        func summed(over group: any ProcessGroup) throws -> TrainingTargets {
            var counts = [Int64(count), Int64(positives), nonBinary ? 1 : 0] + classCounts.map(Int64.init)
            try group.sum(&counts)
            var sums = [sum]
            try group.sum(&sums)
            var all = self
            (all.count, all.positives, all.nonBinary) = (Int(counts[0]), Int(counts[1]), counts[2] > 0)
            all.classCounts = counts.dropFirst(3).map { Int($0) }
            all.sum = sums[0]
            return all
        }
    }

    /// The test rows of one process, with what the model predicted for them.
    struct TestRows {
        var rowIDs: [Int]
        var labels: [String]
        var targets: [Double]
        var outputs: Matrix

        /// Every process's test rows, in global order (`positions` places this process's rows
        /// among the `count` rows of all).
        func gathered(positions: [Int], count: Int, group: any ProcessGroup) throws -> TestRows {
            var writer = GatherWriter()
            for (index, position) in positions.enumerated() {
                writer.append(position)
                writer.append(rowIDs[index])
                writer.append(labels[index])
                writer.append(targets[index])
                for column in 0..<outputs.columns { writer.append(outputs[index, column]) }
            }
            let width = outputs.columns
            var all = TestRows(rowIDs: Array(repeating: 0, count: count), labels: Array(repeating: "", count: count),
                               targets: Array(repeating: 0, count: count), outputs: Matrix(rows: count, columns: width))
            var filled = 0
            for bytes in try group.gather(writer.bytes) {
                var reader = GatherReader(bytes)
                while !reader.isAtEnd {
                    let position = try reader.integer()
                    guard position >= 0, position < count else {
                        throw BackpropError(.pipeline, "a process sent test row \(position) of \(count)")
                    }
                    all.rowIDs[position] = try reader.integer()
                    all.labels[position] = try reader.string()
                    all.targets[position] = try reader.double()
                    for column in 0..<width { all.outputs[position, column] = try reader.double() }
                    filled += 1
                }
            }
            guard filled == count else { throw BackpropError(.pipeline, "the processes sent \(filled) test rows, not \(count)") }
            return all
        }
    }
}
