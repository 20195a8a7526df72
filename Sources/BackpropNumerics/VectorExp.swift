/// e^x in straight-line arithmetic that the compiler can vectorise: Cody–Waite range reduction
/// x = k·ln 2 + r with |r| ≤ ½ ln 2, a degree-13 Taylor polynomial for e^r (truncation error
/// below 1e-17 relative), and 2^k put together in the exponent bits. Within a few ulp of the C
/// library's `exp` at a fraction of its cost (the sigmoid's exponentials dominate training).
/// It is the throughput choice for whole batches: no table, no branch. Single rows, where the
/// latency of one exponential matters more, use `tableExp`.
///
/// Inputs are clamped to [−708, 709]: e^x saturates there instead of becoming 0 or infinity,
/// which leaves 1 / (1 + e^−z) within 1e-307 of its limit.
@inline(__always)
func fastExp(_ x: Double) -> Double {
    let clamped = x < -708 ? -708 : (x > 709 ? 709 : x)
    // k = round(x / ln 2), rounded by adding 1.5·2⁵²; its low mantissa bits then hold k.
    let shifter = 6755399441055744.0
    let shifted = clamped * 1.4426950408889634 + shifter
    let k = shifted - shifter
    // ln 2 split in two so that k·ln2High is exact.
    let r = clamped - k * 0.6931471803691238 - k * 1.9082149292705877e-10
    // e^r = Σ rⁿ/n! for n = 0…13, by Horner's rule.
    var p = r * 1.6059043836821613e-10 + 2.08767569878681e-09
    p = p * r + 2.505210838544172e-08
    p = p * r + 2.755731922398589e-07
    p = p * r + 2.7557319223985893e-06
    p = p * r + 2.48015873015873e-05
    p = p * r + 0.0001984126984126984
    p = p * r + 0.001388888888888889
    p = p * r + 0.008333333333333333
    p = p * r + 0.041666666666666664
    p = p * r + 0.16666666666666666
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    // 2^k: k + 1023 in the exponent field (the shifter's own bits fall off the top).
    return p * Double(bitPattern: (shifted.bitPattern &+ 1023) &<< 52)
}

extension Activation {
    /// The logistic function 1 / (1 + e^−z) of every element of `z` into `a`, through `fastExp`.
    static func vectorLogistic(_ z: UnsafeBufferPointer<Double>, into a: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<z.count { a[i] = 1 / (1 + fastExp(-z[i])) }
    }
}
