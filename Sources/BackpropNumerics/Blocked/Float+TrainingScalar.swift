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
    public static func copyRows<Source: TrainingRowSource>(
        from source: Source, _ positions: UnsafeBufferPointer<Int>,
        inputs: UnsafeMutableBufferPointer<Float>, targets: UnsafeMutableBufferPointer<Float>
    ) throws {
        try source.copyRows(positions, inputs: inputs, targets: targets)
    }
}
