// The only file that imports the C vector kernels (Sources/CVectorKernels): thin typed wrappers.
import CVectorKernels

/// The hot elementwise kernels of training, in C compiled per instruction set (AVX-512, AVX2,
/// FMA, baseline) and chosen at load time for the CPU at hand.
public enum VectorKernels {
    /// e^x for each element, within 1e-15 relative of the C library's `exp` on [−708, 709]
    /// (inputs outside are clamped there).
    public static func exp(_ x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        precondition(out.count >= x.count, "output shorter than input")
        guard let source = x.baseAddress, let target = out.baseAddress else { return }
        bp_exp_f64(source, target, x.count)
    }

    static func logistic(_ z: UnsafePointer<Double>, into a: UnsafeMutablePointer<Double>, count: Int) { bp_logistic_f64(z, a, count) }
    static func logistic(_ z: UnsafePointer<Float>, into a: UnsafeMutablePointer<Float>, count: Int) { bp_logistic_f32(z, a, count) }

    static func multiplyByLogisticDerivative(_ delta: UnsafeMutablePointer<Double>, activations a: UnsafePointer<Double>, count: Int) {
        bp_logistic_backward_f64(delta, a, count)
    }
    static func multiplyByLogisticDerivative(_ delta: UnsafeMutablePointer<Float>, activations a: UnsafePointer<Float>, count: Int) {
        bp_logistic_backward_f32(delta, a, count)
    }

    static func addBias(_ z: UnsafeMutablePointer<Double>, rows: Int, bias: UnsafePointer<Double>, columns: Int) {
        bp_add_bias_f64(z, rows, bias, columns)
    }
    static func addBias(_ z: UnsafeMutablePointer<Float>, rows: Int, bias: UnsafePointer<Float>, columns: Int) {
        bp_add_bias_f32(z, rows, bias, columns)
    }

    static func outerProduct(
        _ a: UnsafePointer<Double>, stride strideA: Int, _ b: UnsafePointer<Double>, stride strideB: Int,
        into c: UnsafeMutablePointer<Double>, m: Int, n: Int, scale: Double
    ) {
        bp_outer_product_f64(a, strideA, b, strideB, c, m, n, scale)
    }
    static func outerProduct(
        _ a: UnsafePointer<Float>, stride strideA: Int, _ b: UnsafePointer<Float>, stride strideB: Int,
        into c: UnsafeMutablePointer<Float>, m: Int, n: Int, scale: Float
    ) {
        bp_outer_product_f32(a, strideA, b, strideB, c, m, n, scale)
    }

    static func columnSums(_ x: UnsafePointer<Double>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Double>) {
        bp_column_sums_f64(x, rows, columns, sums)
    }
    static func columnSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into sums: UnsafeMutablePointer<Double>) {
        bp_column_sums_f32(x, rows, columns, sums)
    }

    static func biasLogistic(_ z: UnsafeMutablePointer<Double>, rows: Int, bias: UnsafePointer<Double>, columns: Int, into a: UnsafeMutablePointer<Double>) {
        bp_bias_logistic_f64(z, rows, bias, columns, a)
    }
    static func biasLogistic(_ z: UnsafeMutablePointer<Float>, rows: Int, bias: UnsafePointer<Float>, columns: Int, into a: UnsafeMutablePointer<Float>) {
        bp_bias_logistic_f32(z, rows, bias, columns, a)
    }

    static func outerLogisticBackward(
        _ d: UnsafePointer<Double>, stride strideD: Int, _ w: UnsafePointer<Double>, stride strideW: Int,
        activations a: UnsafePointer<Double>, into delta: UnsafeMutablePointer<Double>, m: Int, n: Int
    ) {
        bp_outer_logistic_backward_f64(d, strideD, w, strideW, a, delta, m, n)
    }
    static func outerLogisticBackward(
        _ d: UnsafePointer<Float>, stride strideD: Int, _ w: UnsafePointer<Float>, stride strideW: Int,
        activations a: UnsafePointer<Float>, into delta: UnsafeMutablePointer<Float>, m: Int, n: Int
    ) {
        bp_outer_logistic_backward_f32(d, strideD, w, strideW, a, delta, m, n)
    }

    static func difference(_ y: UnsafePointer<Double>, _ t: UnsafePointer<Double>, into delta: UnsafeMutablePointer<Double>, count: Int) {
        bp_difference_f64(y, t, delta, count)
    }
    static func difference(_ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, into delta: UnsafeMutablePointer<Float>, count: Int) {
        bp_difference_f32(y, t, delta, count)
    }

    static func squaredErrorSum(_ y: UnsafePointer<Double>, _ t: UnsafePointer<Double>, count: Int) -> Double {
        bp_squared_error_sum_f64(y, t, count)
    }
    static func squaredErrorSum(_ y: UnsafePointer<Float>, _ t: UnsafePointer<Float>, count: Int) -> Double {
        bp_squared_error_sum_f32(y, t, count)
    }
}
