// The only file that imports the number-parsing shim (fast_float).
import CNumberParsing

/// Decimal text to `Double`, exactly as `strtod` rounds it.
enum DecimalParser {
    /// The finite number that is the whole of `bytes`, or nil (also for "inf", "nan", "1e999").
    @inline(__always)
    static func finiteDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var value = 0.0
        let parsed = bytes.withMemoryRebound(to: CChar.self) { bp_parse_finite_double($0.baseAddress, $0.count, &value) }
        return parsed == 1 ? value : nil
    }

    /// The finite number that is the whole of `text`, or nil.
    static func finiteDouble(_ text: Substring) -> Double? {
        var text = text
        return text.withUTF8 { finiteDouble(UnsafeRawBufferPointer($0)) }
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes without leading and trailing spaces and tabs.
    @inline(__always)
    var trimmingSpaces: UnsafeRawBufferPointer {
        var start = 0, end = count
        while start < end, self[start] == 0x20 || self[start] == 0x09 { start += 1 }
        while end > start, self[end - 1] == 0x20 || self[end - 1] == 0x09 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: self[start..<end])
    }
}
