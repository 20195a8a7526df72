/// A dense row-major matrix of doubles.
public struct Matrix: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The entries, row after row (`rows × columns` values).
    public var values: [Double]

    /// Creates a matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must not be negative")
        self.rows = rows
        self.columns = columns
        self.values = Array(repeating: value, count: rows * columns)
    }

    /// Creates a matrix from row-major values.
    /// - Precondition: `values.count == rows * columns`.
    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "expected \(rows * columns) values, got \(values.count)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Creates a matrix from nested rows; returns nil when the rows differ in length.
    public init?(_ nested: [[Double]]) {
        let columns = nested.first?.count ?? 0
        guard nested.allSatisfy({ $0.count == columns }) else { return nil }
        self.init(rows: nested.count, columns: columns, values: nested.flatMap { $0 })
    }

    /// The entry at `row`, `column`.
    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }

    /// The matrix as nested rows.
    public var nested: [[Double]] {
        (0..<rows).map { r in Array(values[(r * columns)..<((r + 1) * columns)]) }
    }

    /// The rows at `indices`, in that order.
    public func rows(at indices: [Int]) -> Matrix {
        var result = [Double]()
        result.reserveCapacity(indices.count * columns)
        for index in indices {
            result.append(contentsOf: values[(index * columns)..<((index + 1) * columns)])
        }
        return Matrix(rows: indices.count, columns: columns, values: result)
    }
}

extension Matrix {
    /// `op(a) · op(b)` into `result` (which must already have the product's shape), through BLAS.
    /// - Parameters:
    ///   - accumulate: add to `result` instead of overwriting it.
    public static func multiply(
        _ a: Matrix, transposed transposeA: Bool = false,
        _ b: Matrix, transposed transposeB: Bool = false,
        into result: inout Matrix, scale: Double = 1, accumulate: Bool = false
    ) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        precondition(k == (transposeB ? b.columns : b.rows), "inner dimensions differ")
        precondition(result.rows == m && result.columns == n, "result has the wrong shape")
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if !accumulate { for i in result.values.indices { result.values[i] = 0 } }
            return
        }
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                result.values.withUnsafeMutableBufferPointer { pc in
                    let (pa, pb, pc) = (pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                    // The thin shapes of small networks go to the matching level-2 routine, whose
                    // per-call cost is a fraction of dgemm's packing of tiny operands.
                    if n == 1 {
                        // c = op(a) · b, b a vector (k × 1, or 1 × k when transposed).
                        BLAS.gemv(transpose: transposeA, rows: a.rows, columns: a.columns, alpha: scale, a: pa, lda: a.columns,
                                  x: pb, incx: transposeB ? 1 : b.columns, beta: accumulate ? 1 : 0, y: pc, incy: 1)
                    } else if m == 1 {
                        // cᵀ = op(b)ᵀ · aᵀ, a a vector (1 × k, or k × 1 when transposed).
                        BLAS.gemv(transpose: !transposeB, rows: b.rows, columns: b.columns, alpha: scale, a: pb, lda: b.columns,
                                  x: pa, incx: transposeA ? a.columns : 1, beta: accumulate ? 1 : 0, y: pc, incy: 1)
                    } else if k == 1 {
                        // c = a · bᵀ, an outer product of two vectors. Row-major BLAS (dger) runs
                        // it as one axpy per row, dozens of times slower here than this loop.
                        let (strideA, strideB) = (transposeA ? 1 : a.columns, transposeB ? b.columns : 1)
                        for i in 0..<m {
                            let x = scale * pa[i * strideA]
                            for j in 0..<n {
                                let product = x * pb[j * strideB]
                                pc[i * n + j] = accumulate ? pc[i * n + j] + product : product
                            }
                        }
                    } else {
                        BLAS.gemm(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                            alpha: scale, a: pa, lda: a.columns, b: pb, ldb: b.columns,
                            beta: accumulate ? 1 : 0, c: pc, ldc: n)
                    }
                }
            }
        }
    }
}
