extension Float: TrainingScalar {
    /// Through `cblas_sgemm`.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                  a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Through `cblas_sgemv`.
    public static func gemv(
        transpose: Bool, rows: Int, columns: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int
    ) {
        BLAS.gemv(transpose: transpose, rows: rows, columns: columns, alpha: alpha, a: a, lda: lda,
                  x: x, incx: incx, beta: beta, y: y, incy: incy)
    }

    /// The source's single-precision rows.
    public static func copyRows(
        from source: any TrainingRowSource, _ positions: UnsafeBufferPointer<Int>,
        inputs: UnsafeMutableBufferPointer<Float>, targets: UnsafeMutableBufferPointer<Float>
    ) throws {
        try source.copyRows(positions, inputs: inputs, targets: targets)
    }

    /// Through the C vector kernel.
    public static func logistic(_ z: UnsafePointer<Float>, into a: UnsafeMutablePointer<Float>, count: Int) {
        VectorKernels.logistic(z, into: a, count: count)
    }

    /// Through the C vector kernel.
    public static func multiplyByLogisticDerivative(_ delta: UnsafeMutablePointer<Float>, activations a: UnsafePointer<Float>, count: Int) {
        VectorKernels.multiplyByLogisticDerivative(delta, activations: a, count: count)
    }

    /// Through the C vector kernel.
    public static func addBias(_ z: UnsafeMutablePointer<Float>, rows: Int, bias: UnsafePointer<Float>, columns: Int) {
        VectorKernels.addBias(z, rows: rows, bias: bias, columns: columns)
    }

    /// Through the C vector kernel.
    public static func outerProduct(
        _ a: UnsafePointer<Float>, stride strideA: Int, _ b: UnsafePointer<Float>, stride strideB: Int,
        into c: UnsafeMutablePointer<Float>, m: Int, n: Int, scale: Float
    ) {
        VectorKernels.outerProduct(a, stride: strideA, b, stride: strideB, into: c, m: m, n: n, scale: scale)
    }

    /// Through the C vector kernel.
    public static func columnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Double>) {
        VectorKernels.columnSums(x, rows: rows, columns: columns, into: sums)
    }

    /// Through the C vector kernel.
    public static func biasLogistic(_ z: UnsafeMutablePointer<Float>, rows: Int, bias: UnsafePointer<Float>, columns: Int, into a: UnsafeMutablePointer<Float>) {
        VectorKernels.biasLogistic(z, rows: rows, bias: bias, columns: columns, into: a)
    }

    /// Through the C vector kernel.
    public static func outerLogisticBackward(
        _ d: UnsafePointer<Float>, stride strideD: Int, _ w: UnsafePointer<Float>, stride strideW: Int,
        activations a: UnsafePointer<Float>, into delta: UnsafeMutablePointer<Float>, m: Int, n: Int
    ) {
        VectorKernels.outerLogisticBackward(d, stride: strideD, w, stride: strideW, activations: a, into: delta, m: m, n: n)
    }

    /// Through the C vector kernel.
    public static func difference(_ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, into delta: UnsafeMutablePointer<Float>, count: Int) {
        VectorKernels.difference(y, t, into: delta, count: count)
    }

    /// Through the C vector kernel.
    public static func squaredErrorSum(_ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int) -> Double {
        VectorKernels.squaredErrorSum(y, t, count: count)
    }
}
