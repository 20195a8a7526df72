/// Values packed into bytes for `ProcessGroup.gather`, and read back: little-endian 64-bit
/// integers and doubles, and length-prefixed UTF-8 strings.
struct GatherWriter {
    /// The bytes so far.
    private(set) var bytes: [UInt8] = []

    /// Appends an integer.
    mutating func append(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a double, bit for bit.
    mutating func append(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a string (its byte count, then its UTF-8 bytes).
    mutating func append(_ value: String) {
        append(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }
}

/// Reads what a `GatherWriter` wrote, in the same order.
struct GatherReader {
    private let bytes: [UInt8]
    private var offset = 0

    /// A reader of `bytes` from the start.
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether every byte has been read.
    var isAtEnd: Bool { offset >= bytes.count }

    /// The next integer.
    mutating func integer() throws -> Int {
        Int(Int64(littleEndian: try word()))
    }

    /// The next double.
    mutating func double() throws -> Double {
        Double(bitPattern: UInt64(littleEndian: UInt64(bitPattern: try word())))
    }

    /// The next string.
    mutating func string() throws -> String {
        let count = try integer()
        guard count >= 0, count <= bytes.count - offset else { throw truncated }
        defer { offset += count }
        return String(decoding: bytes[offset..<(offset + count)], as: UTF8.self)
    }

    private mutating func word() throws -> Int64 {
        guard bytes.count - offset >= 8 else { throw truncated }
        var value: Int64 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[offset..<(offset + 8)]) }
        offset += 8
        return value
    }

    private var truncated: BackpropError { BackpropError(.pipeline, "a message from another process is cut short") }
}
