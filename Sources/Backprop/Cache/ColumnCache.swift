import Glibc

/// An open cache file: its header, and its columns read with `pread` (never mapped: mapped pages
/// would count in the process's resident memory), whole or at a list of rows, from any thread.
final class ColumnCache: @unchecked Sendable {
    /// The name used in messages.
    let name: String
    /// What the file holds.
    let header: ColumnCacheHeader
    private let dataStart: Int
    private let descriptor: Int32

    /// Rows that lie at most this far apart are read in one `pread` with the rows between them:
    /// reading 8 KiB more costs less than another system call (measured on mini-batches of 4,096
    /// of 1M rows: 5.8 s an epoch against 22.8 s with 64 and 15 s with 256).
    static let gapRows = 1_024
    /// Most rows one `pread` spans when it reads rows at a list of positions.
    static let spanRows = 16_384

    /// Opens and checks the cache file at `path`: signature, version, header checksum, sizes.
    /// - Returns: nil when there is no file at `path`.
    /// - Throws: `ColumnCacheHeader.Unusable` saying why the file cannot be used.
    static func open(path: String, name: String) throws(ColumnCacheHeader.Unusable) -> ColumnCache? {
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw ColumnCacheHeader.Unusable("it cannot be opened (\(String(cString: strerror(errno))))")
        }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw ColumnCacheHeader.Unusable("it is \(InputFile.kind(of: status.st_mode)), not a regular file")
        }
        do {
            let header = try ColumnCacheHeader.read(fileSize: Int(status.st_size)) { offset, buffer in
                try Self.read(fd, at: offset, into: buffer)
            }
            return ColumnCache(name: name, header: header, dataStart: ColumnCacheHeader.prefixBytes, descriptor: fd)
        } catch let error as ColumnCacheHeader.Unusable {
            close(fd)
            throw error
        } catch {
            close(fd)
            throw ColumnCacheHeader.Unusable("it cannot be read (\(error))")
        }
    }

    private init(name: String, header: ColumnCacheHeader, dataStart: Int, descriptor: Int32) {
        self.name = name
        self.header = header
        self.dataStart = dataStart
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The values of `column` at `rows` (ascending positions, repeats allowed), in that order.
    /// - Throws: `.data` when the file cannot be read or holds a category code without a label.
    func values(_ column: ColumnCacheHeader.Column, rows: UnsafeBufferPointer<Int>) throws -> ColumnValues {
        switch column.storage {
        case .numbers:
            return .numeric(try gather(Double.self, column.offset, rows))
        case .categories(let labels):
            let codes = try gather(UInt32.self, column.offset, rows)
            if let bad = codes.first(where: { Int($0) >= labels.count }) {
                throw BackpropError(.data, "cache \(name): column '\(column.name)' holds the category code \(bad) of \(labels.count) labels (the file is damaged; delete it to rebuild it)")
            }
            return .categorical(CategoricalValues(uncheckedLabels: labels, codes: codes))
        }
    }

    /// Every value of `column`.
    func values(_ column: ColumnCacheHeader.Column) throws -> ColumnValues {
        switch column.storage {
        case .numbers:
            return .numeric(try whole(Double.self, column.offset))
        case .categories(let labels):
            let codes = try whole(UInt32.self, column.offset)
            if let bad = codes.first(where: { Int($0) >= labels.count }) {
                throw BackpropError(.data, "cache \(name): column '\(column.name)' holds the category code \(bad) of \(labels.count) labels (the file is damaged; delete it to rebuild it)")
            }
            return .categorical(CategoricalValues(uncheckedLabels: labels, codes: codes))
        }
    }

    /// Each row's 0-based data row in the source file.
    func rowIDs() throws -> [Int] {
        guard let stored = header.rowIDs else { return Array(0..<header.rows) }
        let ids = try whole(Int64.self, stored.offset)
        var previous = -1
        return try ids.map { id in
            guard id > previous else {
                throw BackpropError(.data, "cache \(name): its row ids are not ascending (the file is damaged; delete it to rebuild it)")
            }
            previous = Int(id)
            return Int(id)
        }
    }

    /// Checks every column's data against its CRC-32, reading the file once a block at a time.
    /// - Throws: `ColumnCacheHeader.Unusable` naming the first column that does not match;
    ///   `.data` when the file cannot be read.
    func verify() throws {
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { block.deallocate() }
        for column in header.columns {
            var crc: UInt32 = 0, done = 0
            let bytes = header.rows * column.storage.width
            while done < bytes {
                let part = UnsafeMutableRawBufferPointer(rebasing: block[..<min(block.count, bytes - done)])
                try readFully(at: dataStart + column.offset + done, into: part)
                crc = Checksum.update(crc, UnsafeRawBufferPointer(part))
                done += part.count
            }
            guard crc == column.crc32 else {
                throw ColumnCacheHeader.Unusable("the data of column '\(Limits.excerpt(column.name))' does not match its checksum (the file is damaged)")
            }
        }
    }

    /// Reads all `T` values of the column at `offset`.
    private func whole<T: BitwiseCopyable>(_ type: T.Type, _ offset: Int) throws -> [T] {
        let count = header.rows, width = MemoryLayout<T>.stride
        try Limits.reserve(count, bytesEach: width, limit: Limits.cacheRows, what: "cache \(name): reading a column of \(count) rows", category: .data)
        return try [T](unsafeUninitializedCapacity: count) { result, initialized in
            try readFully(at: dataStart + offset, into: UnsafeMutableRawBufferPointer(start: result.baseAddress, count: count * width))
            initialized = count
        }
    }

    /// Reads the `T` values of the column at `offset` for `rows`: runs of nearby rows in one
    /// `pread` each, straight into the result when the rows are consecutive.
    private func gather<T: BitwiseCopyable>(_ type: T.Type, _ offset: Int, _ rows: UnsafeBufferPointer<Int>) throws -> [T] {
        let width = MemoryLayout<T>.stride, base = dataStart + offset
        precondition(rows.allSatisfy { $0 >= 0 && $0 < header.rows }, "rows within the cache")
        var scratch: UnsafeMutableRawBufferPointer?
        defer { scratch?.deallocate() }
        return try [T](unsafeUninitializedCapacity: rows.count) { result, initialized in
            var start = 0
            while start < rows.count {
                let first = rows[start]
                var end = start + 1
                while end < rows.count, rows[end] >= rows[end - 1], rows[end] - rows[end - 1] <= Self.gapRows,
                      rows[end] - first < Self.spanRows { end += 1 }
                let span = rows[end - 1] - first + 1
                let target = UnsafeMutableRawBufferPointer(start: result.baseAddress! + start, count: (end - start) * width)
                if span == end - start {
                    try readFully(at: base + first * width, into: target)
                } else {
                    if scratch == nil { scratch = .allocate(byteCount: Self.spanRows * width, alignment: 16) }
                    let buffer = UnsafeMutableRawBufferPointer(rebasing: scratch![..<(span * width)])
                    try readFully(at: base + first * width, into: buffer)
                    for k in start..<end {
                        (result.baseAddress! + k).initialize(to: buffer.loadUnaligned(fromByteOffset: (rows[k] - first) * width, as: T.self))
                    }
                }
                start = end
                initialized = start
            }
        }
    }

    private func readFully(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        let got = try Self.read(descriptor, at: offset, into: buffer)
        guard got == buffer.count else {
            throw BackpropError(.data, "cache \(name): cut short while reading (did the file change? delete it to rebuild it)")
        }
    }

    /// Fills `buffer` from `offset`, less at the end of the file; returns the bytes read.
    private static func read(_ fd: Int32, at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try preadFully(fd, at: offset, into: buffer) { "cannot read the cache (\($0))" }
    }
}
