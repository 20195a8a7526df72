import FoundationEssentials
import Glibc

/// Writes a cache file while its rows are read, atomically: a temporary file beside the target
/// takes each batch of rows at its place in every column (`pwrite`, keeping each column's
/// CRC-32); `finish` writes the JSON header after the columns and the prefix before them, syncs
/// and renames the file over the target. On any failure (the disk full, a file size limit) and
/// whenever `finish` is not reached, the temporary file is removed: there is never a half cache.
final class ColumnCacheWriter {
    /// The header so far: the layout, then the rows and checksums as rows are appended.
    private(set) var header: ColumnCacheHeader
    private let url: URL
    private let target: String
    private let temporary: String
    private var descriptor: Int32
    private var checksums: [UInt32]

    /// Opens a temporary file for a cache laid out as `header` (with room for `header.capacity` rows).
    /// - Throws: `.output` naming the path and the system's reason.
    init(header: ColumnCacheHeader, to url: URL) throws {
        self.header = header
        self.url = url
        target = try AtomicFile.destination(url, followSymlinks: false)
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent()
        let fileName = URL(fileURLWithPath: target).lastPathComponent
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw Self.failure(url, "cannot create the folder \(folder.path)")
        }
        AtomicFile.removeStaleTemporaries(of: fileName, in: folder.path)
        temporary = folder.appendingPathComponent(".\(fileName).\(getpid()).tmp").path
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw Self.failure(url, String(cString: strerror(errno))) }
        checksums = Array(repeating: 0, count: header.columns.count)
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporary)
        }
    }

    /// Appends rows: the target's values, each feature's, and each row's data-row id.
    /// - Throws: `.output` when the file cannot be written; `.data` when the rows exceed the room
    ///   laid out (the CSV grew while it was read).
    func append(target: ColumnValues, features: [ColumnValues], rowIDs: [Int]) throws {
        let count = rowIDs.count
        guard count <= header.capacity - header.rows else {
            throw BackpropError(.data, "cache \(Pipeline.display(url)): more rows than the CSV had line ends when its writing began (did the file change?); no cache written")
        }
        precondition(features.count == header.features.count && target.count == count && features.allSatisfy { $0.count == count },
                     "a value per row in every column")
        do {
            try write(target, column: 0)
            for (index, values) in features.enumerated() { try write(values, column: index + 1) }
            try rowIDs.map { Int64($0) }.withUnsafeBytes { try write($0, column: features.count + 1) }
        } catch let error as Failure {
            throw Self.failure(url, error.reason)
        }
        header.rows += count
    }

    /// Writes the header (with `labels` for the category columns, given in column order: the
    /// target, then the features; and the row ids only when `storesRowIDs`), syncs the file and
    /// renames it over the target.
    /// - Throws: `.output` naming the path and the system's reason; the temporary file is gone.
    func finish(targetStorage: ColumnCacheHeader.Storage, featureStorage: [ColumnCacheHeader.Storage], storesRowIDs: Bool) throws {
        header.target.storage = targetStorage
        header.target.crc32 = checksums[0]
        for index in header.features.indices {
            header.features[index].storage = featureStorage[index]
            header.features[index].crc32 = checksums[index + 1]
        }
        let rowIDsChecksum = checksums[header.features.count + 1]
        if storesRowIDs { header.rowIDs?.crc32 = rowIDsChecksum } else { header.rowIDs = nil }
        let json = header.json
        do {
            try json.withUnsafeBytes { try writeBytes($0, at: ColumnCacheHeader.prefixBytes + header.dataBytes) }
            try header.prefix(json: json).withUnsafeBytes { try writeBytes($0, at: 0) }
            guard fsync(descriptor) == 0 else { throw Failure(errno) }
            let closed = close(descriptor)
            descriptor = -1
            guard closed == 0 else { throw Failure(errno) }
            guard rename(temporary, target) == 0 else { throw Failure(errno) }
        } catch let error as Failure {
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
            unlink(temporary)
            throw Self.failure(url, error.reason)
        }
        // The rename itself reaches the disk with the folder.
        let folderFD = open(URL(fileURLWithPath: target).deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            fsync(folderFD)
            close(folderFD)
        }
    }

    private static func failure(_ url: URL, _ reason: String) -> BackpropError {
        BackpropError(.output, "cannot write the cache \(Pipeline.display(url)): \(reason); no cache written")
    }

    /// A failed system call's reason.
    private struct Failure: Error {
        var reason: String
        init(_ code: Int32) { reason = String(cString: strerror(code)) }
    }

    /// Writes a column's new values (UInt32 codes for labels) after its rows so far.
    private func write(_ values: ColumnValues, column: Int) throws {
        switch values {
        case .numeric(let numbers): try numbers.withUnsafeBytes { try write($0, column: column) }
        case .categorical(let labels): try labels.codes.withUnsafeBytes { try write($0, column: column) }
        }
    }

    private func write(_ bytes: UnsafeRawBufferPointer, column: Int) throws {
        let place = header.columns[column]
        try writeBytes(bytes, at: ColumnCacheHeader.prefixBytes + place.offset + header.rows * place.storage.width)
        checksums[column] = Checksum.update(checksums[column], bytes)
    }

    private func writeBytes(_ bytes: UnsafeRawBufferPointer, at position: Int) throws {
        var done = 0
        while done < bytes.count {
            let count = pwrite(descriptor, bytes.baseAddress! + done, min(bytes.count - done, 1 << 24), off_t(position + done))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Failure(count == 0 ? EIO : errno) }
            done += count
        }
    }
}

#if _endian(big)
#error("cache files are little-endian; this writer stores values as they lie in memory")
#endif
