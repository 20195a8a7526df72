import BackpropNumerics

/// How the target column's values become the network's training targets, and its outputs
/// become labels again: the classes of a classifier, in output order.
///
/// A softmax output has one unit per class, in `classes` order. A sigmoid output predicts the
/// probability of the positive class, `classes[1]`; `classes[0]` is the other one.
public struct TargetEncoding: Equatable, Sendable {
    /// The class labels as written in the training data (numbers without a needless ".0"), in
    /// output order; for a sigmoid output [negative, positive].
    public var classes: [String]

    /// Creates an encoding.
    public init(classes: [String]) {
        self.classes = classes
    }

    /// The positive class of a sigmoid output.
    public var positiveClass: String? { classes.count == 2 ? classes[1] : nil }

    /// The class position of every row of `target` (NaN for a label not among `classes`): the
    /// 0/1 target of a sigmoid output, the output unit of a softmax one.
    public func codes(_ target: Column) -> [Double] {
        let position = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Double($0)) })
        // Each distinct value's label once, not a label per row (millions of rows).
        switch target.values {
        case .categorical(let labels):
            let byCode = labels.labels.map { position[$0] ?? .nan }
            return labels.codes.map { byCode[Int($0)] }
        case .numeric(let numbers):
            var known = [UInt64: Double]()
            return numbers.map { number in
                if let code = known[number.bitPattern] { return code }
                let code = position[OneHotTransform.label(for: number)] ?? .nan
                known[number.bitPattern] = code
                return code
            }
        }
    }

    /// The labels of `values` at `rows`, each once (without making a label per row).
    static func distinctLabels(_ values: ColumnValues, rows: some Collection<Int>) -> Set<String> {
        switch values {
        case .categorical(let labels):
            var present = [Bool](repeating: false, count: labels.labels.count)
            for row in rows { present[Int(labels.codes[row])] = true }
            return Set(labels.labels.indices.filter { present[$0] }.map { labels.labels[$0] })
        case .numeric(let numbers):
            var bits = Set<UInt64>()
            for row in rows { bits.insert(numbers[row].bitPattern) }
            return Set(bits.map { OneHotTransform.label(for: Double(bitPattern: $0)) })
        }
    }

    /// The label a row of outputs predicts: the most probable class (ties: the first), or for one
    /// sigmoid output the positive class when its probability exceeds 0.5.
    public func label(of outputs: [Double]) -> String {
        if outputs.count == 1 { return outputs[0] > 0.5 ? classes[1] : classes[0] }
        var best = 0
        for index in outputs.indices.dropFirst() where outputs[index] > outputs[best] { best = index }
        return classes[best]
    }

    /// The encoding a classifier's target gets from its training rows, or nil when the target
    /// is used as it is (a quantity, or 0/1 probabilities for a sigmoid output).
    ///
    /// - Softmax: every label of the training rows, sorted (as numbers when all are numbers).
    /// - Sigmoid: a target with exactly two labels, the positive one `positive` or else the
    ///   second in sorted order; a numeric target with only 0 and 1 is [0, 1].
    /// - Parameter group: the processes whose rows are fitted on together: the classes of every
    ///   process's rows (gathered), the same on every process.
    /// - Throws: `.data` saying what to change when the target does not fit the output.
    public static func fit(
        _ target: Column, rows: some Collection<Int>, output: Activation, positive: String?,
        group: any ProcessGroup = SingleProcess.shared
    ) throws -> TargetEncoding? {
        var distinct = distinctLabels(target.values, rows: rows)
        if group.size > 1, output == .softmax || output == .sigmoid {
            distinct = Set(try GlobalStatistics.labelCounts(distinct, group: group).keys)
        }
        return try choose(name: target.name, isCategorical: target.isCategorical, distinct: distinct, output: output, positive: positive) { seen in
            guard let numbers = target.numbers else { return nil }
            // Over several processes, the gathered labels (a number's label reads back as it).
            return group.size > 1 ? Set(seen.compactMap { Double($0) }) : Set(rows.lazy.map { numbers[$0] })
        }
    }

    /// The encoding for a target with the `distinct` labels in its training rows (see `fit`).
    /// - Parameter numericValues: the distinct values of the training rows, given the sorted
    ///   labels, or nil when the target holds labels; asked for only by a sigmoid output
    ///   without a `positive` class.
    static func choose(
        name: String, isCategorical: Bool, distinct: Set<String>, output: Activation, positive: String?,
        numericValues: ([String]) throws -> Set<Double>?
    ) throws -> TargetEncoding? {
        let seen = OneHotTransform.sorted(distinct)
        let shown = seen.prefix(6).joined(separator: ", ") + (seen.count > 6 ? ", …" : "")
        switch output {
        case .softmax:
            guard seen.count >= 2 else {
                throw BackpropError(.data, "target '\(name)' has \(seen.count) class (\(shown)) in the training rows; softmax needs at least 2")
            }
            return TargetEncoding(classes: seen)
        case .sigmoid:
            if positive == nil, let values = try numericValues(seen) {
                if values.isSubset(of: [0, 1]) { return TargetEncoding(classes: ["0", "1"]) }
                if values.count != 2 {
                    guard values.allSatisfy({ (0...1).contains($0) }) else {
                        throw BackpropError(.data, "target '\(name)' has \(values.count) distinct values (\(shown)); a sigmoid output predicts 0 to 1: for classes set \"loss\": \"cross_entropy\" (a softmax output), for a quantity \"output_activation\": \"identity\"")
                    }
                    return nil  // probabilities or shares from 0 to 1, learnt as they are
                }
            }
            guard seen.count == 2 else {
                let fix = seen.count > 2 ? "; for several classes set \"loss\": \"cross_entropy\" (a softmax output)" : ""
                throw BackpropError(.data, "target '\(name)' has \(seen.count) classes (\(shown)) in the training rows; a sigmoid output needs 2\(fix)")
            }
            guard let positive else { return TargetEncoding(classes: seen) }
            guard let index = seen.firstIndex(of: positive) else {
                throw BackpropError(.data, "positive_class \"\(positive)\" is not a class of target '\(name)' (classes: \(shown))")
            }
            return TargetEncoding(classes: [seen[1 - index], positive])
        default:
            if isCategorical {
                throw BackpropError(.data, "target '\(name)' holds labels (\(shown)); a \(output.rawValue) output predicts a quantity: for classes set \"loss\": \"cross_entropy\" (a softmax output) or \"binary_cross_entropy\" (two classes)")
            }
            return nil
        }
    }
}
