/// The description of a cache file: which CSV it was read from and how, the row count, and each
/// column's name, kind, category labels, place in the file and CRC-32.
///
/// On disk (format version 2): the 8 bytes `BPCACHE\0`, the format version (UInt32), a CRC-32
/// (UInt32) of the next 16 bytes and the JSON text, the JSON text's offset (UInt64) and length
/// (UInt64); then the column data, each column contiguous and little-endian from a multiple of 8:
/// Float64 numbers (NaN where missing), UInt32 category codes, Int64 row ids; then the JSON text,
/// which ends the file. The JSON comes last because the labels and the row count are known only
/// once the whole CSV has been read, and the columns are written while it is read. Each column
/// has room for `capacity` rows (at least the row count; the rest never written). Offsets in the
/// JSON count from the start of the column data.
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
        /// Where its values start, in bytes after the start of the column data.
        var offset: Int
        /// CRC-32 of its `rows` values as stored.
        var crc32: UInt32 = 0
    }

    /// The format's first 8 bytes.
    static let magic: [UInt8] = Array("BPCACHE\0".utf8)
    /// The format version this build reads and writes.
    static let version: UInt32 = 2
    /// Bytes before the column data: magic, version, CRC-32, the JSON text's offset and length.
    static let prefixBytes = 32

    /// The CSV file the cache was written from.
    var source: CSVFingerprint
    /// The ingest settings it was read with (a cache read otherwise is stale).
    var settings: String
    /// Number of rows.
    var rows: Int
    /// Rows each column has room for.
    var capacity: Int
    /// The target column.
    var target: Column
    /// The feature columns, in input order.
    var features: [Column]
    /// The Int64 row ids, or nil when row `i` is data row `i`.
    var rowIDs: Column?
    /// Bytes of column data (room included), from the end of the prefix to the JSON text.
    var dataBytes: Int

    /// Lays out the columns one after the other, each with room for `capacity` rows (each start
    /// a multiple of 8), the row ids last; `rows` is 0 until the data is written.
    init(source: CSVFingerprint, settings: String, capacity: Int,
         target: (name: String, storage: Storage), features: [(name: String, storage: Storage)]) {
        var next = 0
        func place(_ width: Int) -> Int {
            defer { next += (capacity * width + 7) / 8 * 8 }
            return next
        }
        self.source = source
        self.settings = settings
        rows = 0
        self.capacity = capacity
        self.target = Column(name: target.name, storage: target.storage, offset: place(target.storage.width))
        self.features = features.map { Column(name: $0.name, storage: $0.storage, offset: place($0.storage.width)) }
        rowIDs = Column(name: "row ids", storage: .numbers, offset: place(8))
        dataBytes = next
    }

    /// Every stored column: the target, the features, the row ids when stored.
    var columns: [Column] { [target] + features + (rowIDs.map { [$0] } ?? []) }

    /// The JSON text that ends the file.
    var json: [UInt8] {
        func column(_ column: Column) -> JSONValue {
            var fields: [String: JSONValue] = [
                "name": .string(column.name), "offset": .number(Double(column.offset)), "crc32": .number(Double(column.crc32)),
            ]
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
            "capacity": .number(Double(capacity)), "data_bytes": .number(Double(dataBytes)),
            "target": column(target), "features": .array(features.map(column)),
            "row_ids": rowIDs.map { .object(["offset": .number(Double($0.offset)), "crc32": .number(Double($0.crc32))]) } ?? .null,
        ])
        return Array(JSONWriter.serialize(json).utf8)
    }

    /// The prefix that starts the file, for the JSON text `json` placed after the column data.
    func prefix(json: [UInt8]) -> [UInt8] {
        let placement = Self.littleEndian(UInt64(Self.prefixBytes + dataBytes)) + Self.littleEndian(UInt64(json.count))
        let crc = Checksum.crc32(placement + json)
        return Self.magic + Self.littleEndian(Self.version) + Self.littleEndian(crc) + placement
    }

    /// Reads the header of a cache file of `fileSize` bytes: the prefix, then the JSON text at
    /// the end of the file.
    /// - Parameter read: fills a buffer from an offset of the file, returning the bytes read.
    /// - Throws: `ColumnCacheHeader.Unusable` saying why the file is not a cache this build can use.
    static func read(fileSize: Int, _ read: (Int, UnsafeMutableRawBufferPointer) throws -> Int) throws -> ColumnCacheHeader {
        var prefix = [UInt8](repeating: 0, count: prefixBytes)
        let got = try prefix.withUnsafeMutableBytes { try read(0, $0) }
        guard got >= 8, Array(prefix[..<8]) == magic else { throw Unusable("it is not a Backprop cache file (no BPCACHE signature)") }
        guard got >= 12 else { throw Unusable("it is truncated (\(fileSize) bytes, shorter than a header)") }
        let version = UInt32(littleEndianBytes: prefix[8..<12])
        guard version == Self.version else { throw Unusable("it has format version \(version); this build reads version \(Self.version)") }
        guard got == prefixBytes else { throw Unusable("it is truncated (\(fileSize) bytes, shorter than a header)") }
        let crc = UInt32(littleEndianBytes: prefix[12..<16])
        let offset = UInt64(littleEndianBytes: prefix[16..<24]), length = UInt64(littleEndianBytes: prefix[24..<32])
        guard length <= UInt64(Limits.cacheHeaderBytes) else {
            throw Unusable("its header announces \(length) bytes, more than the limit of \(Limits.cacheHeaderBytes) (docs/limits.md)")
        }
        guard offset >= UInt64(prefixBytes), offset <= UInt64(Limits.cacheRows) * 64 else {
            throw Unusable("its header is placed at \(offset) (the file is damaged)")
        }
        let expected = offset + length
        guard expected == UInt64(fileSize) else {
            throw Unusable(expected > UInt64(fileSize) ? "it is truncated (\(fileSize) of \(expected) bytes)" : "it has \(fileSize) bytes, its header describes \(expected)")
        }
        var text = [UInt8](repeating: 0, count: Int(length))
        let textGot = try text.withUnsafeMutableBytes { try read(Int(offset), $0) }
        guard textGot == text.count else { throw Unusable("it is truncated (\(fileSize) bytes, shorter than its header)") }
        guard Checksum.crc32(Array(prefix[16..<32]) + text) == crc else { throw Unusable("its header checksum does not match (the file is damaged)") }
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
        guard Int(offset) == prefixBytes + header.dataBytes else {
            throw Unusable("its header is placed at \(offset), after \(header.dataBytes) bytes of column data it describes (the file is damaged)")
        }
        return header
    }

    /// Why a cache file cannot be used.
    struct Unusable: Error, CustomStringConvertible {
        /// The reason, as a clause ("it is truncated (…)").
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Decodes and checks the JSON part of a header: every size bounded, every column within
    /// the column data and apart from the others.
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
        capacity = try count(top["capacity"], "capacity", limit: Limits.cacheRows)
        guard rows <= capacity else { throw bad("rows beyond the capacity") }
        dataBytes = try count(top["data_bytes"], "data_bytes", limit: 1 << 53)
        func place(_ fields: [String: JSONValue], _ name: String) throws -> (offset: Int, crc32: UInt32) {
            let offset = try count(fields["offset"], "offset of column '\(Limits.excerpt(name))'", limit: 1 << 53)
            guard offset % 8 == 0 else { throw bad("offset of column '\(Limits.excerpt(name))'") }
            let crc = try count(fields["crc32"], "crc32 of column '\(Limits.excerpt(name))'", limit: Int(UInt32.max))
            return (offset, UInt32(crc))
        }
        func column(_ value: JSONValue) throws -> Column {
            guard case .object(let fields) = value, case .string(let name)? = fields["name"], case .string(let kind)? = fields["kind"] else {
                throw bad("a column without name or kind")
            }
            let (offset, crc) = try place(fields, name)
            switch kind {
            case "float64": return Column(name: name, storage: .numbers, offset: offset, crc32: crc)
            case "categories":
                guard case .array(let values)? = fields["labels"], values.count <= Limits.cacheLabels else { throw bad("labels of column '\(Limits.excerpt(name))'") }
                let labels = try values.map { value -> String in
                    guard case .string(let label) = value else { throw bad("labels of column '\(Limits.excerpt(name))'") }
                    return label
                }
                return Column(name: name, storage: .categories(labels: labels), offset: offset, crc32: crc)
            default: throw bad("kind \"\(Limits.excerpt(kind))\"")
            }
        }
        guard let targetValue = top["target"], case .array(let featureValues)? = top["features"], !featureValues.isEmpty else {
            throw bad("target, features")
        }
        target = try column(targetValue)
        features = try featureValues.map(column)
        switch top["row_ids"] {
        case .null?: rowIDs = nil
        case .object(let fields)?:
            let (offset, crc) = try place(fields, "row ids")
            rowIDs = Column(name: "row ids", storage: .numbers, offset: offset, crc32: crc)
        default: throw bad("row_ids")
        }
        // Each column's room lies within the column data, and apart from the others.
        var spans = columns.map { ($0.offset, capacity * $0.storage.width) }
        spans.sort { $0.0 < $1.0 }
        for (a, b) in zip(spans, spans.dropFirst()) where a.0 + a.1 > b.0 { throw bad("overlapping columns") }
        if let last = spans.last, last.0 + last.1 > dataBytes { throw bad("a column beyond the column data") }
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
