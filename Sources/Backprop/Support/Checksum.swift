// The only file that imports zlib: its CRC-32, the content digest of model files.
import CZlib

/// CRC-32 (zlib's `crc32_z`, the polynomial of gzip and PNG) of some bytes.
public enum Checksum {
    /// The CRC-32 of `bytes`.
    public static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: crc32_z(0, buffer.baseAddress, buffer.count))
        }
    }

    /// The CRC-32 of bytes seen so far (`crc`, 0 at first) followed by `bytes`: a CRC taken a
    /// piece at a time equals the CRC of the pieces joined.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return UInt32(truncatingIfNeeded: crc32_z(UInt(crc), base.assumingMemoryBound(to: UInt8.self), bytes.count))
    }

    /// `crc32:` and the CRC-32 of `bytes` as eight lower-case hex digits.
    public static func label(_ bytes: some Sequence<UInt8>) -> String {
        let hex = String(crc32(bytes), radix: 16)
        return "crc32:" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
