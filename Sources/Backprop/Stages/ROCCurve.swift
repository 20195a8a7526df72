/// The receiver operating characteristic of scores against 0/1 targets: the true-positive rate
/// against the false-positive rate as the threshold falls, and the area under it.
public struct ROCCurve: Equatable, Sendable {
    /// The points (false-positive rate, true-positive rate), from (0, 0) to (1, 1); tied scores
    /// move together, giving one diagonal segment.
    public var points: [(falsePositiveRate: Double, truePositiveRate: Double)]
    /// The area under the curve (trapezoids): the chance that a random positive scores above a
    /// random negative, ties counting half. nil when one class is absent.
    public var area: Double?

    /// Computes the curve.
    /// - Parameters:
    ///   - scores: the predicted probabilities of class 1.
    ///   - targets: the 0/1 targets.
    public init(scores: [Double], targets: [Double]) {
        let positives = targets.filter { $0 == 1 }.count, negatives = targets.count - positives
        guard positives > 0, negatives > 0 else {
            points = []
            area = nil
            return
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var points: [(Double, Double)] = [(0, 0)]
        var (tp, fp) = (0, 0)
        var index = 0
        while index < order.count {
            let score = scores[order[index]]
            while index < order.count, scores[order[index]] == score {
                if targets[order[index]] == 1 { tp += 1 } else { fp += 1 }
                index += 1
            }
            points.append((Double(fp) / Double(negatives), Double(tp) / Double(positives)))
        }
        var area = 0.0
        for (a, b) in zip(points, points.dropFirst()) { area += (b.0 - a.0) * (a.1 + b.1) / 2 }
        self.points = points
        self.area = area
    }

    /// Equal when the points and the area are.
    public static func == (lhs: ROCCurve, rhs: ROCCurve) -> Bool {
        lhs.area == rhs.area && lhs.points.count == rhs.points.count
            && zip(lhs.points, rhs.points).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}
