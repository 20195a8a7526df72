/// A floating-point type that training can run in: `Double` (the default, the reference's
/// arithmetic) or `Float` (`"precision": "float32"`: half the memory and twice the vector width).
/// Weights are kept and saved as doubles either way; only the work buffers and the products use
/// the training precision.
public protocol TrainingScalar: BinaryFloatingPoint & Sendable {
    /// The scalar nearest `value`.
    init(_ value: Double)

    /// `c = alpha · op(a) · op(b) + beta · c` on row-major matrices, through BLAS.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// `y = alpha · op(a) · x + beta · y` for a row-major matrix `a`, through BLAS.
    static func gemv(
        transpose: Bool, rows: Int, columns: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        x: UnsafePointer<Self>, incx: Int, beta: Self, y: UnsafeMutablePointer<Self>, incy: Int)

    /// Asks `source` for the rows at `positions` in this precision.
    static func copyRows(
        from source: any TrainingRowSource, _ positions: UnsafeBufferPointer<Int>,
        inputs: UnsafeMutableBufferPointer<Self>, targets: UnsafeMutableBufferPointer<Self>) throws

    /// a = 1 / (1 + e^−z) for `count` values (vector kernel).
    static func logistic(_ z: UnsafePointer<Self>, into a: UnsafeMutablePointer<Self>, count: Int)
    /// δ ← δ · a(1 − a) for `count` values (vector kernel).
    static func multiplyByLogisticDerivative(_ delta: UnsafeMutablePointer<Self>, activations a: UnsafePointer<Self>, count: Int)
    /// z ← z + bias on every row (vector kernel).
    static func addBias(_ z: UnsafeMutablePointer<Self>, rows: Int, bias: UnsafePointer<Self>, columns: Int)
    /// c = scale · a bᵀ for strided vectors a (m) and b (n) (vector kernel).
    static func outerProduct(
        _ a: UnsafePointer<Self>, stride strideA: Int, _ b: UnsafePointer<Self>, stride strideB: Int,
        into c: UnsafeMutablePointer<Self>, m: Int, n: Int, scale: Self)
    /// The column sums of a row-major `rows × columns` matrix, in double precision (vector kernel).
    static func columnSums(_ x: UnsafePointer<Self>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Double>)
    /// z ← z + bias on every row, then a = 1 / (1 + e^−z), in one pass (vector kernel).
    static func biasLogistic(_ z: UnsafeMutablePointer<Self>, rows: Int, bias: UnsafePointer<Self>, columns: Int, into a: UnsafeMutablePointer<Self>)
    /// δ[i][j] = (d[i] · w[j]) · a[i][j](1 − a[i][j]) for strided vectors d (m) and w (n), in one
    /// pass: a sigmoid layer's error term below a one-unit layer (vector kernel).
    static func outerLogisticBackward(
        _ d: UnsafePointer<Self>, stride strideD: Int, _ w: UnsafePointer<Self>, stride strideW: Int,
        activations a: UnsafePointer<Self>, into delta: UnsafeMutablePointer<Self>, m: Int, n: Int)
    /// δ = y − t (vector kernel).
    static func difference(_ y: UnsafePointer<Self>, _ t: UnsafePointer<Self>, into delta: UnsafeMutablePointer<Self>, count: Int)
    /// Σ (y − t)² in double precision (vector kernel).
    static func squaredErrorSum(_ y: UnsafePointer<Self>, _ t: UnsafePointer<Self>, count: Int) -> Double
}
