import Glibc

/// e^x for one value at a time, with a short dependency chain: x = (64m + j)·ln2/64 + r with
/// |r| ≤ ln2/128, e^x = 2^m · 2^(j/64) · e^r, the 2^(j/64) from a 64-entry table and e^r from a
/// degree-5 polynomial (truncation error below 4e-17 relative), as the C library does it. Within
/// 1e-15 relative of glibc's `exp` (tested over [−745, 710]); arguments outside [−708, 708]
/// (where the result nears the subnormals or overflows) and NaN go to glibc's `exp` itself.
///
/// - Parameter table: `ExpTable.values`, passed in so that the hot loop reads it from a pointer
///   it already holds instead of through a lazily initialised global.
@inline(__always)
public func tableExp(_ x: Double, table: UnsafePointer<Double>) -> Double {
    guard abs(x) <= 708 else { return exp(x) }
    // k = round(x · 64/ln2), rounded by adding 1.5·2⁵²; its low mantissa bits then hold k.
    let shifter = 6755399441055744.0
    let shifted = x * 0x1.71547652b82fep+6 + shifter
    let k = shifted - shifter
    // ln2/64 split in two so that k·high is exact (|k| < 2¹⁷, high has 29 significant bits).
    let r = x - k * 0x1.62e42fe000000p-7 - k * 0x1.f473de6af278fp-36
    let bits = shifted.bitPattern
    // 2^m · 2^(j/64): m added to the exponent bits of the table entry (the shifter's own bits
    // fall off the top; m ∈ [−1022, 1022] keeps the result normal).
    let scale = Double(bitPattern: table[Int(bits & 63)].bitPattern &+ ((bits >> 6) &<< 52))
    let r2 = r * r
    // e^r − 1 = r + r²/2 + r³/6 + r⁴/24 + r⁵/120, in two independent halves.
    let tail = r + r2 * (0.5 + r * 0.16666666666666666) + r2 * r2 * (0.041666666666666664 + r * 0.008333333333333333)
    return scale + scale * tail
}

/// The table `tableExp` reads: 2^(j/64) for j = 0…63, each correctly rounded.
public enum ExpTable {
    public static let values: [Double] = [
        0x1.0000000000000p+0, 0x1.02c9a3e778061p+0, 0x1.059b0d3158574p+0, 0x1.0874518759bc8p+0,
        0x1.0b5586cf9890fp+0, 0x1.0e3ec32d3d1a2p+0, 0x1.11301d0125b51p+0, 0x1.1429aaea92de0p+0,
        0x1.172b83c7d517bp+0, 0x1.1a35beb6fcb75p+0, 0x1.1d4873168b9aap+0, 0x1.2063b88628cd6p+0,
        0x1.2387a6e756238p+0, 0x1.26b4565e27cddp+0, 0x1.29e9df51fdee1p+0, 0x1.2d285a6e4030bp+0,
        0x1.306fe0a31b715p+0, 0x1.33c08b26416ffp+0, 0x1.371a7373aa9cbp+0, 0x1.3a7db34e59ff7p+0,
        0x1.3dea64c123422p+0, 0x1.4160a21f72e2ap+0, 0x1.44e086061892dp+0, 0x1.486a2b5c13cd0p+0,
        0x1.4bfdad5362a27p+0, 0x1.4f9b2769d2ca7p+0, 0x1.5342b569d4f82p+0, 0x1.56f4736b527dap+0,
        0x1.5ab07dd485429p+0, 0x1.5e76f15ad2148p+0, 0x1.6247eb03a5585p+0, 0x1.6623882552225p+0,
        0x1.6a09e667f3bcdp+0, 0x1.6dfb23c651a2fp+0, 0x1.71f75e8ec5f74p+0, 0x1.75feb564267c9p+0,
        0x1.7a11473eb0187p+0, 0x1.7e2f336cf4e62p+0, 0x1.82589994cce13p+0, 0x1.868d99b4492edp+0,
        0x1.8ace5422aa0dbp+0, 0x1.8f1ae99157736p+0, 0x1.93737b0cdc5e5p+0, 0x1.97d829fde4e50p+0,
        0x1.9c49182a3f090p+0, 0x1.a0c667b5de565p+0, 0x1.a5503b23e255dp+0, 0x1.a9e6b5579fdbfp+0,
        0x1.ae89f995ad3adp+0, 0x1.b33a2b84f15fbp+0, 0x1.b7f76f2fb5e47p+0, 0x1.bcc1e904bc1d2p+0,
        0x1.c199bdd85529cp+0, 0x1.c67f12e57d14bp+0, 0x1.cb720dcef9069p+0, 0x1.d072d4a07897cp+0,
        0x1.d5818dcfba487p+0, 0x1.da9e603db3285p+0, 0x1.dfc97337b9b5fp+0, 0x1.e502ee78b3ff6p+0,
        0x1.ea4afa2a490dap+0, 0x1.efa1bee615a27p+0, 0x1.f50765b6e4540p+0, 0x1.fa7c1819e90d8p+0
    ]
}
