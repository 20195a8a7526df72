// The only file that imports GSL: random generators, statistics and CBLAS products
// (the CBLAS symbols are served by OpenBLAS, see Sources/CGSL/module.modulemap).
import CGSL

private let gslErrorHandlerOff: Void = {
    // GSL aborts the process on error by default; every call here checks its status instead.
    _ = gsl_set_error_handler_off()
}()

/// A seeded Mersenne Twister generator from GSL. One is made per stage and passed in, so a run
/// is reproducible from its seeds alone.
public final class RandomGenerator {
    private let rng: UnsafeMutablePointer<gsl_rng>

    /// The seed this generator started from.
    public let seed: UInt64

    /// Creates a generator.
    /// - Parameter seed: the seed; the same seed gives the same sequence.
    public init(seed: UInt64) {
        _ = gslErrorHandlerOff
        guard let rng = gsl_rng_alloc(backprop_rng_mt19937()) else {
            fatalError("gsl_rng_alloc failed: out of memory")
        }
        self.rng = rng
        self.seed = seed
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
    }

    deinit { gsl_rng_free(rng) }

    /// A draw from a normal distribution with mean 0.
    /// - Parameter standardDeviation: the distribution's standard deviation.
    public func gaussian(standardDeviation: Double) -> Double {
        gsl_ran_gaussian(rng, standardDeviation)
    }

    /// A uniform draw from [0, 1).
    public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// A uniformly random permutation of `values` (Fisher-Yates through `gsl_ran_shuffle`).
    public func shuffled(_ values: [Int]) -> [Int] {
        var copy = values
        shuffle(&copy)
        return copy
    }

    /// Permutes `values` in place, as `shuffled` would (no second array). The permutation
    /// depends on the count only, not on the element type: [UInt32] and [Int] of the same
    /// values end in the same order.
    public func shuffle<Element: FixedWidthInteger>(_ values: inout [Element]) {
        let count = values.count
        values.withUnsafeMutableBytes { bytes in
            gsl_ran_shuffle(rng, bytes.baseAddress, count, MemoryLayout<Element>.stride)
        }
    }
}

/// Descriptive statistics from GSL.
public enum Statistics {
    /// The arithmetic mean; NaN for an empty array.
    public static func mean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        return values.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
    }

    /// The sample standard deviation (divisor n − 1) around `mean`; NaN for fewer than two values.
    public static func sampleStandardDeviation(_ values: [Double], mean: Double) -> Double {
        guard values.count > 1 else { return .nan }
        return values.withUnsafeBufferPointer { gsl_stats_sd_m($0.baseAddress, 1, $0.count, mean) }
    }

    /// The median (the mean of the two middle values for an even count), from GSL's
    /// `gsl_stats_median_from_sorted_data` on a sorted copy; NaN for an empty array.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted.withUnsafeBufferPointer { gsl_stats_median_from_sorted_data($0.baseAddress, 1, $0.count) }
    }

    /// The smallest and largest value; nil for an empty array.
    public static func minMax(_ values: [Double]) -> (min: Double, max: Double)? {
        guard !values.isEmpty else { return nil }
        var low = 0.0, high = 0.0
        values.withUnsafeBufferPointer { gsl_stats_minmax(&low, &high, $0.baseAddress, 1, $0.count) }
        return (low, high)
    }
}

/// Matrix products through CBLAS.
public enum BLAS {
    /// `y = alpha · op(a) · x + beta · y` for a row-major `rows × columns` matrix `a`.
    public static func gemv(
        transpose: Bool, rows: Int, columns: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, incx: Int, beta: Double, y: UnsafeMutablePointer<Double>, incy: Int
    ) {
        cblas_dgemv(
            CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns),
            alpha, a, Int32(lda), x, Int32(incx), beta, y, Int32(incy))
    }

    /// `c = alpha · op(a) · op(b) + beta · c` on row-major matrices.
    /// - Parameters:
    ///   - transposeA: use aᵀ instead of a.
    ///   - transposeB: use bᵀ instead of b.
    ///   - m: rows of op(a) and c; n: columns of op(b) and c; k: columns of op(a), rows of op(b).
    ///   - a, b: row-major operands with leading dimensions `lda` and `ldb`.
    ///   - c: the row-major result with leading dimension `ldc`.
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `y = alpha · op(a) · x + beta · y` in single precision.
    public static func gemv(
        transpose: Bool, rows: Int, columns: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, incx: Int, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int
    ) {
        cblas_sgemv(
            CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(rows), Int32(columns),
            alpha, a, Int32(lda), x, Int32(incx), beta, y, Int32(incy))
    }

    /// `c = alpha · op(a) · op(b) + beta · c` in single precision (see the double version).
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The number of threads OpenBLAS uses for one call.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(clamping: max(1, newValue))) }
    }
}
