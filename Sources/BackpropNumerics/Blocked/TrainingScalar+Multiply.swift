extension TrainingScalar {
    /// `c = scale · op(a) · op(b)` (`+ c` when `accumulate`) on row-major buffers: `op(a)` is
    /// m × k, `op(b)` is k × n, `c` is m × n. The thin shapes of small networks go to the matching
    /// level-2 routine or a plain loop, as `Matrix.multiply` does (same arithmetic, same results).
    @inline(__always)
    static func multiply(
        _ a: UnsafePointer<Self>, transposed transposeA: Bool, _ b: UnsafePointer<Self>, transposed transposeB: Bool,
        into c: UnsafeMutablePointer<Self>, m: Int, n: Int, k: Int, scale: Self = 1, accumulate: Bool = false
    ) {
        guard m > 0, n > 0 else { return }
        let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
        let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
        if k == 0 {
            if !accumulate { c.update(repeating: 0, count: m * n) }
            return
        }
        if n == 1 {
            // c = op(a) · b, b a vector.
            gemv(transpose: transposeA, rows: aRows, columns: aColumns, alpha: scale, a: a, lda: aColumns,
                 x: b, incx: transposeB ? 1 : bColumns, beta: accumulate ? 1 : 0, y: c, incy: 1)
        } else if m == 1 {
            // cᵀ = op(b)ᵀ · aᵀ, a a vector.
            gemv(transpose: !transposeB, rows: bRows, columns: bColumns, alpha: scale, a: b, lda: bColumns,
                 x: a, incx: transposeA ? aColumns : 1, beta: accumulate ? 1 : 0, y: c, incy: 1)
        } else if k == 1 {
            // An outer product of two vectors: a loop (row-major dger is one axpy per row, slower).
            let (strideA, strideB) = (transposeA ? 1 : aColumns, transposeB ? bColumns : 1)
            if !accumulate {
                outerProduct(a, stride: strideA, b, stride: strideB, into: c, m: m, n: n, scale: scale)
                return
            }
            for i in 0..<m {
                let x = scale * a[i * strideA]
                for j in 0..<n { c[i * n + j] += x * b[j * strideB] }
            }
        } else {
            gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: scale,
                 a: a, lda: aColumns, b: b, ldb: bColumns, beta: accumulate ? 1 : 0, c: c, ldc: n)
        }
    }
}
