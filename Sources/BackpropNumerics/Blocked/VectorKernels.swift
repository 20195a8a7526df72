/// The hot elementwise kernels: the logistic function and its derivative.
enum VectorKernels {
    /// a = 1 / (1 + e^−z) for `count` values, e^x through `fastExp` in double precision.
    @inline(__always)
    static func logistic<Scalar: TrainingScalar>(_ z: UnsafePointer<Scalar>, into a: UnsafeMutablePointer<Scalar>, count: Int) {
        for i in 0..<count { a[i] = Scalar(1 / (1 + fastExp(-Double(z[i])))) }
    }

    /// δ ← δ · a(1 − a) for `count` values.
    @inline(__always)
    static func multiplyByLogisticDerivative<Scalar: TrainingScalar>(
        _ delta: UnsafeMutablePointer<Scalar>, activations a: UnsafePointer<Scalar>, count: Int
    ) {
        for i in 0..<count { delta[i] *= a[i] * (1 - a[i]) }
    }
}
