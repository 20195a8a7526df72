import Glibc

extension Activation {
    /// Forward: a = softmax(z) for each row of `z`, into `a` (same shape). The row maximum is
    /// subtracted first, so large pre-activations cannot overflow `exp`.
    public static func softmaxRows(_ z: Matrix, into a: inout Matrix) {
        precondition(z.rows == a.rows && z.columns == a.columns, "softmax shapes differ")
        let n = z.columns
        guard n > 0 else { return }
        for row in 0..<z.rows {
            let start = row * n
            var largest = -Double.infinity
            for j in start..<(start + n) { largest = max(largest, z.values[j]) }
            var total = 0.0
            for j in start..<(start + n) {
                let e = exp(z.values[j] - largest)
                a.values[j] = e
                total += e
            }
            for j in start..<(start + n) { a.values[j] /= total }
        }
    }

    /// Backward: turns ∂E/∂a (in `gradient`) into ∂E/∂z in place, row by row, through softmax's
    /// Jacobian: ∂E/∂z_j = a_j · (∂E/∂a_j − Σ_k a_k · ∂E/∂a_k).
    public static func softmaxBackward(_ gradient: inout Matrix, activations a: Matrix) {
        precondition(gradient.rows == a.rows && gradient.columns == a.columns, "softmax shapes differ")
        let n = a.columns
        for row in 0..<a.rows {
            let start = row * n
            var dot = 0.0
            for j in start..<(start + n) { dot += a.values[j] * gradient.values[j] }
            for j in start..<(start + n) { gradient.values[j] = a.values[j] * (gradient.values[j] - dot) }
        }
    }
}
