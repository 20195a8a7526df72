import Glibc

/// The elementwise steps of a block's forward and backward pass, on raw buffers in the training
/// precision. Arithmetic that decides results (exponentials, loss terms) runs in double precision
/// whatever the buffers hold, so float32 training loses only the rounding of the stored values.
enum Elementwise {
    /// z ← z + bias, the bias added to every row of `z` (`rows × bias.count`).
    @inline(__always)
    static func addBias<Scalar: TrainingScalar>(_ z: UnsafeMutablePointer<Scalar>, rows: Int, bias: UnsafeBufferPointer<Scalar>) {
        Scalar.addBias(z, rows: rows, bias: bias.baseAddress!, columns: bias.count)
    }

    /// a = f(z) for an elementwise activation, or softmax across each row of `columns` values.
    static func activate<Scalar: TrainingScalar>(
        _ activation: Activation, z: UnsafePointer<Scalar>, a: UnsafeMutablePointer<Scalar>, rows: Int, columns: Int
    ) {
        let count = rows * columns
        switch activation {
        case .sigmoid: Scalar.logistic(z, into: a, count: count)
        case .tanh: for i in 0..<count { a[i] = Scalar(Glibc.tanh(Double(z[i]))) }
        case .relu: for i in 0..<count { a[i] = z[i] > 0 ? z[i] : 0 }
        case .leakyRelu: for i in 0..<count { a[i] = z[i] > 0 ? z[i] : Scalar(Activation.leakySlope) * z[i] }
        case .identity: a.update(from: z, count: count)
        case .softmax: softmaxRows(z, into: a, rows: rows, columns: columns)
        }
    }

    /// δ ← δ · f'(z) elementwise (given z and a = f(z)), or through softmax's Jacobian by rows.
    static func multiplyByDerivative<Scalar: TrainingScalar>(
        _ activation: Activation, _ delta: UnsafeMutablePointer<Scalar>,
        z: UnsafePointer<Scalar>, a: UnsafePointer<Scalar>, rows: Int, columns: Int
    ) {
        let count = rows * columns
        switch activation {
        case .sigmoid: Scalar.multiplyByLogisticDerivative(delta, activations: a, count: count)
        case .tanh: for i in 0..<count { delta[i] *= 1 - a[i] * a[i] }
        case .relu: for i in 0..<count where !(z[i] > 0) { delta[i] = 0 }
        case .leakyRelu: for i in 0..<count where !(z[i] > 0) { delta[i] *= Scalar(Activation.leakySlope) }
        case .identity: break
        case .softmax: softmaxBackward(delta, activations: a, rows: rows, columns: columns)
        }
    }

    /// Softmax across each row, the row maximum subtracted first (as `Activation.softmaxRows`).
    static func softmaxRows<Scalar: TrainingScalar>(
        _ z: UnsafePointer<Scalar>, into a: UnsafeMutablePointer<Scalar>, rows: Int, columns n: Int
    ) {
        guard n > 0 else { return }
        for row in 0..<rows {
            let start = row * n
            var largest = -Double.infinity
            for j in start..<(start + n) { largest = max(largest, Double(z[j])) }
            var total = 0.0
            for j in start..<(start + n) {
                let e = exp(Double(z[j]) - largest)
                a[j] = Scalar(e)
                total += e
            }
            for j in start..<(start + n) { a[j] = Scalar(Double(a[j]) / total) }
        }
    }

    /// ∂E/∂a into ∂E/∂z through softmax's Jacobian, row by row (as `Activation.softmaxBackward`).
    static func softmaxBackward<Scalar: TrainingScalar>(
        _ gradient: UnsafeMutablePointer<Scalar>, activations a: UnsafePointer<Scalar>, rows: Int, columns n: Int
    ) {
        for row in 0..<rows {
            let start = row * n
            var dot: Scalar = 0
            for j in start..<(start + n) { dot += a[j] * gradient[j] }
            for j in start..<(start + n) { gradient[j] = a[j] * (gradient[j] - dot) }
        }
    }
}
