extension Double: TrainingScalar {
    /// Through `cblas_dgemm`.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Through `cblas_dgemv`.
    public static func gemv(
        transpose: Bool, rows: Int, columns: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, incx: Int, beta: Double, y: UnsafeMutablePointer<Double>, incy: Int
    ) {
        BLAS.gemv(transpose: transpose, rows: rows, columns: columns, alpha: alpha, a: a, lda: lda,
                  x: x, incx: incx, beta: beta, y: y, incy: incy)
    }

    /// The source's double-precision rows.
    public static func copyRows(
        from source: any TrainingRowSource, _ positions: UnsafeBufferPointer<Int>,
        inputs: UnsafeMutableBufferPointer<Double>, targets: UnsafeMutableBufferPointer<Double>
    ) throws {
        try source.copyRows(positions, inputs: inputs, targets: targets)
    }

    /// Through the C vector kernel.
    public static func logistic(_ z: UnsafePointer<Double>, into a: UnsafeMutablePointer<Double>, count: Int) {
        VectorKernels.logistic(z, into: a, count: count)
    }

    /// Through the C vector kernel.
    public static func multiplyByLogisticDerivative(_ delta: UnsafeMutablePointer<Double>, activations a: UnsafePointer<Double>, count: Int) {
        VectorKernels.multiplyByLogisticDerivative(delta, activations: a, count: count)
    }

    /// Through the C vector kernel.
    public static func addBias(_ z: UnsafeMutablePointer<Double>, rows: Int, bias: UnsafePointer<Double>, columns: Int) {
        VectorKernels.addBias(z, rows: rows, bias: bias, columns: columns)
    }

    /// Through the C vector kernel.
    public static func outerProduct(
        _ a: UnsafePointer<Double>, stride strideA: Int, _ b: UnsafePointer<Double>, stride strideB: Int,
        into c: UnsafeMutablePointer<Double>, m: Int, n: Int, scale: Double
    ) {
        VectorKernels.outerProduct(a, stride: strideA, b, stride: strideB, into: c, m: m, n: n, scale: scale)
    }

    /// Through the C vector kernel.
    public static func columnSums(_ x: UnsafePointer<Double>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Double>) {
        VectorKernels.columnSums(x, rows: rows, columns: columns, into: sums)
    }

    /// Through the C vector kernel.
    public static func biasLogistic(_ z: UnsafeMutablePointer<Double>, rows: Int, bias: UnsafePointer<Double>, columns: Int, into a: UnsafeMutablePointer<Double>) {
        VectorKernels.biasLogistic(z, rows: rows, bias: bias, columns: columns, into: a)
    }

    /// Through the C vector kernel.
    public static func outerLogisticBackward(
        _ d: UnsafePointer<Double>, stride strideD: Int, _ w: UnsafePointer<Double>, stride strideW: Int,
        activations a: UnsafePointer<Double>, into delta: UnsafeMutablePointer<Double>, m: Int, n: Int
    ) {
        VectorKernels.outerLogisticBackward(d, stride: strideD, w, stride: strideW, activations: a, into: delta, m: m, n: n)
    }

    /// Through the C vector kernel.
    public static func difference(_ y: UnsafePointer<Double>, _ t: UnsafePointer<Double>, into delta: UnsafeMutablePointer<Double>, count: Int) {
        VectorKernels.difference(y, t, into: delta, count: count)
    }

    /// Through the C vector kernel.
    public static func squaredErrorSum(_ y: UnsafePointer<Double>, _ t: UnsafePointer<Double>, count: Int) -> Double {
        VectorKernels.squaredErrorSum(y, t, count: count)
    }
}
