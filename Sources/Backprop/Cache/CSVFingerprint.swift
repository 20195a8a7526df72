import Glibc

/// What identifies the CSV file a cache was written from: its size, its modification time to
/// the nanosecond, and a CRC-32 of its first and last 64 KiB. A cache whose fingerprint differs
/// from the file's is stale.
struct CSVFingerprint: Equatable, Sendable {
    /// Bytes in the file.
    var size: Int
    /// Modification time, seconds since the epoch.
    var modifiedSeconds: Int
    /// Modification time, the nanoseconds within the second.
    var modifiedNanoseconds: Int
    /// CRC-32 of the file's first 64 KiB followed by its last 64 KiB.
    var sampleCRC32: UInt32

    /// Bytes hashed at each end of the file.
    static let sampleBytes = 65_536

    /// Takes the fingerprint of an open CSV file.
    /// - Throws: `.data` when the file cannot be read.
    init(of file: CSVFile) throws {
        size = file.size
        (modifiedSeconds, modifiedNanoseconds) = file.modified
        let head = min(size, Self.sampleBytes), tailStart = max(head, size - Self.sampleBytes)
        var sample = [UInt8](repeating: 0, count: head + (size - tailStart))
        try sample.withUnsafeMutableBytes { bytes in
            let first = try file.read(at: 0, into: UnsafeMutableRawBufferPointer(rebasing: bytes[..<head]))
            let last = try file.read(at: tailStart, into: UnsafeMutableRawBufferPointer(rebasing: bytes[head...]))
            guard first == head, last == bytes.count - head else {
                throw BackpropError(.data, "\(file.name): the file changed while it was read")
            }
        }
        sampleCRC32 = Checksum.crc32(sample)
    }

    /// Restores a fingerprint from its fields.
    init(size: Int, modifiedSeconds: Int, modifiedNanoseconds: Int, sampleCRC32: UInt32) {
        self.size = size
        self.modifiedSeconds = modifiedSeconds
        self.modifiedNanoseconds = modifiedNanoseconds
        self.sampleCRC32 = sampleCRC32
    }

    /// As stored in a cache header.
    var json: JSONValue {
        .object(["size": .number(Double(size)), "mtime_s": .number(Double(modifiedSeconds)),
                 "mtime_ns": .number(Double(modifiedNanoseconds)), "sample_crc32": .number(Double(sampleCRC32))])
    }

    /// What differs between this fingerprint (the file now) and `cached` (when the cache was
    /// written), or nil when they agree.
    func difference(from cached: CSVFingerprint) -> String? {
        if size != cached.size { return "the CSV has \(size) bytes, the cache was written from \(cached.size)" }
        if (modifiedSeconds, modifiedNanoseconds) != (cached.modifiedSeconds, cached.modifiedNanoseconds) {
            return "the CSV was modified since the cache was written"
        }
        if sampleCRC32 != cached.sampleCRC32 { return "the CSV's first or last 64 KiB differ from when the cache was written" }
        return nil
    }
}
