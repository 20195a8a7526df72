/// The description at the start of a cache file: which CSV it was read from and how, the row
/// count, and each column's name, kind, category labels and place in the file.
///
/// On disk: the 8 bytes `BPCACHE\0`, the format version (UInt32), a CRC-32 (UInt32) of what
/// follows up to the end of the JSON text, the JSON text's length (UInt64), the JSON text, zero
/// bytes up to a multiple of 8; then each column's values, contiguous, little-endian: Float64
/// numbers (NaN where missing), UInt32 category codes, Int64 row ids. Offsets in the JSON count
/// from the end of the header.
struct ColumnCacheHeader: Equatable, Sendable {
    /// How a column's values are stored.
    enum Storage: Equatable, Sendable {
        /// Float64 per row.
        case numbers
        /// A UInt32 code per row, a position in `labels`.
        case categories(labels: [String])

        /// Bytes per row.
        var width: Int {
            if case .numbers = self { return 8 }
            return 4
        }
    }

    /// One stored column.
    struct Column: Equatable, Sendable {
        /// Its name (the CSV header).
        var name: String
        /// How its values are stored.
        var storage: Storage
        /// Where its values start, in bytes after the header.
        var offset: Int
    }

    /// The format's first 8 bytes.
    static let magic: [UInt8] = Array("BPCACHE\0".utf8)
    /// The format version this build reads and writes.
    static let version: UInt32 = 1
    /// Bytes before the JSON text: magic, version, CRC-32, length.
    static let prefixBytes = 24

    /// The CSV file the cache was written from.
    var source: CSVFingerprint
    /// The ingest settings it was read with (a cache read otherwise is stale).
    var settings: String
    /// Number of rows.
    var rows: Int
    /// The target column.
    var target: Column
    /// The feature columns, in input order.
    var features: [Column]
    /// Where the Int64 row ids start (after the header), or nil when row `i` is data row `i`.
    var rowIDsOffset: Int?

    /// Lays out the columns one after the other (each start a multiple of 8).
    init(source: CSVFingerprint, settings: String, rows: Int,
         target: (name: String, storage: Storage), features: [(name: String, storage: Storage)], storesRowIDs: Bool) {
        var next = 0
        func place(_ width: Int) -> Int {
            defer { next += (rows * width + 7) / 8 * 8 }
            return next
        }
        self.source = source
        self.settings = settings
        self.rows = rows
        self.target = Column(name: target.name, storage: target.storage, offset: place(target.storage.width))
        self.features = features.map { Column(name: $0.name, storage: $0.storage, offset: place($0.storage.width)) }
        rowIDsOffset = storesRowIDs ? place(8) : nil
    }

    /// Bytes of column data after the header.
    var dataBytes: Int {
        let ends = (features + [target]).map { $0.offset + rows * $0.storage.width } + [rowIDsOffset.map { $0 + rows * 8 } ?? 0]
        return ((ends.max() ?? 0) + 7) / 8 * 8
    }

    /// The header as written at the start of the file, padded to a multiple of 8 bytes.
    var bytes: [UInt8] {
        func column(_ column: Column) -> JSONValue {
            var fields: [String: JSONValue] = ["name": .string(column.name), "offset": .number(Double(column.offset))]
            switch column.storage {
            case .numbers: fields["kind"] = .string("float64")
            case .categories(let labels):
                fields["kind"] = .string("categories")
                fields["labels"] = .array(labels.map(JSONValue.string))
            }
            return .object(fields)
        }
        let json: JSONValue = .object([
            "csv": source.json, "settings": .string(settings), "rows": .number(Double(rows)),
            "target": column(target), "features": .array(features.map(column)),
            "row_ids": rowIDsOffset.map { .number(Double($0)) } ?? .null,
        ])
        let text = Array(JSONWriter.serialize(json).utf8)
        var checked = Self.littleEndian(UInt64(text.count)) + text
        let crc = Checksum.crc32(checked)
        checked += [UInt8](repeating: 0, count: (8 - (Self.prefixBytes + text.count) % 8) % 8)
        return Self.magic + Self.littleEndian(Self.version) + Self.littleEndian(crc) + checked
    }

    /// Reads a header from the start of a cache file of `fileSize` bytes.
    /// - Parameter read: fills a buffer from an offset of the file, returning the bytes read.
    /// - Returns: the header and its length in bytes (where column data starts).
    /// - Throws: `ColumnCacheHeader.Unusable` saying why the file is not a cache this build can use.
    static func read(fileSize: Int, _ read: (Int, UnsafeMutableRawBufferPointer) throws -> Int) throws -> (header: ColumnCacheHeader, length: Int) {
        var prefix = [UInt8](repeating: 0, count: prefixBytes)
        let got = try prefix.withUnsafeMutableBytes { try read(0, $0) }
        guard got >= 8, Array(prefix[..<8]) == magic else { throw Unusable("it is not a Backprop cache file (no BPCACHE signature)") }
        guard got == prefixBytes else { throw Unusable("it is truncated (\(fileSize) bytes, shorter than a header)") }
        let version = UInt32(littleEndianBytes: prefix[8..<12])
        guard version == Self.version else { throw Unusable("it has format version \(version); this build reads version \(Self.version)") }
        let crc = UInt32(littleEndianBytes: prefix[12..<16])
        let length = UInt64(littleEndianBytes: prefix[16..<24])
        guard length <= UInt64(min(fileSize, Limits.cacheHeaderBytes)) else {
            throw Unusable(length > UInt64(Limits.cacheHeaderBytes)
                ? "its header announces \(length) bytes, more than the limit of \(Limits.cacheHeaderBytes) (docs/limits.md)"
                : "it is truncated (\(fileSize) bytes, shorter than its header)")
        }
        var text = [UInt8](repeating: 0, count: Int(length))
        let textGot = try text.withUnsafeMutableBytes { try read(prefixBytes, $0) }
        guard textGot == text.count else { throw Unusable("it is truncated (\(fileSize) bytes, shorter than its header)") }
        guard Checksum.crc32(Array(prefix[16..<24]) + text) == crc else { throw Unusable("its header checksum does not match (the file is damaged)") }
        let headerLength = (prefixBytes + text.count + 7) / 8 * 8
        let header: ColumnCacheHeader
        do {
            try Limits.reserve(text.count, bytesEach: Limits.jsonMemoryPerByte, limit: Limits.cacheHeaderBytes,
                               what: "a cache header of \(text.count) bytes", category: .data)
            header = try ColumnCacheHeader(json: JSONParser.parse(text))
        } catch let error as Unusable {
            throw error
        } catch {
            throw Unusable("its header is not valid JSON (\(error))")
        }
        let expected = headerLength + header.dataBytes
        guard fileSize == expected else {
            throw Unusable(fileSize < expected ? "it is truncated (\(fileSize) of \(expected) bytes)" : "it has \(fileSize) bytes, its header describes \(expected)")
        }
        return (header, headerLength)
    }

    /// Why a cache file cannot be used.
    struct Unusable: Error, CustomStringConvertible {
        /// The reason, as a clause ("it is truncated (…)").
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Decodes and checks the JSON part of a header: every size bounded, every column within
    /// the file's layout.
    private init(json: JSONValue) throws {
        func bad(_ what: String) -> Unusable { Unusable("its header is malformed (\(what))") }
        guard case .object(let top) = json else { throw bad("not an object") }
        func count(_ value: JSONValue?, _ what: String, limit: Int) throws -> Int {
            guard case .number(let n)? = value, n >= 0, n == n.rounded(), n <= Double(limit) else { throw bad(what) }
            return Int(n)
        }
        guard case .object(let csv)? = top["csv"], case .string(let settings)? = top["settings"] else { throw bad("csv, settings") }
        source = CSVFingerprint(
            size: try count(csv["size"], "csv size", limit: 1 << 53), modifiedSeconds: try count(csv["mtime_s"], "csv mtime", limit: 1 << 53),
            modifiedNanoseconds: try count(csv["mtime_ns"], "csv mtime", limit: 999_999_999),
            sampleCRC32: UInt32(try count(csv["sample_crc32"], "csv sample", limit: Int(UInt32.max))))
        self.settings = settings
        rows = try count(top["rows"], "rows", limit: Limits.cacheRows)
        func column(_ value: JSONValue) throws -> Column {
            guard case .object(let fields) = value, case .string(let name)? = fields["name"], case .string(let kind)? = fields["kind"] else {
                throw bad("a column without name or kind")
            }
            let offset = try count(fields["offset"], "offset of column '\(Limits.excerpt(name))'", limit: 1 << 53)
            guard offset % 8 == 0 else { throw bad("offset of column '\(Limits.excerpt(name))'") }
            switch kind {
            case "float64": return Column(name: name, storage: .numbers, offset: offset)
            case "categories":
                guard case .array(let values)? = fields["labels"], values.count <= Limits.cacheLabels else { throw bad("labels of column '\(Limits.excerpt(name))'") }
                let labels = try values.map { value -> String in
                    guard case .string(let label) = value else { throw bad("labels of column '\(Limits.excerpt(name))'") }
                    return label
                }
                return Column(name: name, storage: .categories(labels: labels), offset: offset)
            default: throw bad("kind \"\(Limits.excerpt(kind))\"")
            }
        }
        guard let targetValue = top["target"], case .array(let featureValues)? = top["features"], !featureValues.isEmpty else {
            throw bad("target, features")
        }
        target = try column(targetValue)
        features = try featureValues.map(column)
        switch top["row_ids"] {
        case .null?: rowIDsOffset = nil
        case let value?:
            let offset = try count(value, "row_ids", limit: 1 << 53)
            guard offset % 8 == 0 else { throw bad("row_ids") }
            rowIDsOffset = offset
        case nil: throw bad("row_ids")
        }
        // The columns must not overlap: sorted by offset, each ends before the next starts.
        var spans = (features + [target]).map { ($0.offset, rows * $0.storage.width) }
        if let rowIDsOffset { spans.append((rowIDsOffset, rows * 8)) }
        spans.sort { $0.0 < $1.0 }
        for (a, b) in zip(spans, spans.dropFirst()) where a.0 + a.1 > b.0 { throw bad("overlapping columns") }
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}

extension FixedWidthInteger {
    /// The integer stored little-endian in `bytes` (exactly its width).
    init(littleEndianBytes bytes: ArraySlice<UInt8>) {
        var value = Self.zero
        for (shift, byte) in bytes.enumerated() { value |= Self(truncatingIfNeeded: byte) << (8 * shift) }
        self = value
    }
}
