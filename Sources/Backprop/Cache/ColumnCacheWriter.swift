import FoundationEssentials
import Glibc

/// Writes a dataset into a cache file atomically: a temporary file beside the target, synced
/// to disk, then renamed over it. On any failure (the disk full, a file size limit) the
/// temporary file is removed and the error names the path: there is never a half cache.
enum ColumnCacheWriter {
    /// Writes `data` as read from a CSV file with `fingerprint` and `settings` to `url`.
    /// - Throws: `.output` naming the path and the system's reason.
    static func write(_ data: Dataset, fingerprint: CSVFingerprint, settings: String, to url: URL) throws {
        func storage(_ values: ColumnValues) -> ColumnCacheHeader.Storage {
            if case .categorical(let labels) = values { return .categories(labels: labels.labels) }
            return .numbers
        }
        let storesRowIDs = data.rowIDs != Array(0..<data.rowCount)
        let header = ColumnCacheHeader(
            source: fingerprint, settings: settings, rows: data.rowCount,
            target: (data.target.name, storage(data.target.values)),
            features: data.features.map { ($0.name, storage($0.values)) }, storesRowIDs: storesRowIDs)
        let target = try AtomicFile.destination(url, followSymlinks: false)
        func failure(_ reason: String) -> BackpropError {
            BackpropError(.output, "cannot write the cache \(Pipeline.display(url)): \(reason); no cache written")
        }
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent()
        let fileName = URL(fileURLWithPath: target).lastPathComponent
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw failure("cannot create the folder \(folder.path)")
        }
        AtomicFile.removeStaleTemporaries(of: fileName, in: folder.path)
        let temporary = folder.appendingPathComponent(".\(fileName).\(getpid()).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
        do {
            try writeAll(fd, header.bytes)
            try writeAll(fd, data.target.values)
            for feature in data.features { try writeAll(fd, feature.values) }
            if storesRowIDs { try writeAll(fd, data.rowIDs.map { Int64($0) }) }
            guard fsync(fd) == 0 else { throw Failure(errno) }
            guard close(fd) == 0 else { throw Failure(errno) }
        } catch let error as Failure {
            close(fd)
            unlink(temporary)
            throw failure(error.reason)
        }
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw failure(reason)
        }
        // The rename itself reaches the disk with the folder.
        let folderFD = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            fsync(folderFD)
            close(folderFD)
        }
    }

    /// A failed system call's reason.
    private struct Failure: Error {
        var reason: String
        init(_ code: Int32) { reason = String(cString: strerror(code)) }
    }

    /// Writes a column's values (UInt32 codes for labels), then zero bytes up to a multiple of 8.
    private static func writeAll(_ fd: Int32, _ values: ColumnValues) throws {
        switch values {
        case .numeric(let numbers): try writeAll(fd, numbers)
        case .categorical(let labels): try writeAll(fd, labels.codes)
        }
    }

    private static func writeAll<T: BitwiseCopyable>(_ fd: Int32, _ values: [T]) throws {
        try values.withUnsafeBytes { bytes in
            try writeBytes(fd, bytes)
            let padding = (8 - bytes.count % 8) % 8
            if padding > 0 { try [UInt8](repeating: 0, count: padding).withUnsafeBytes { try writeBytes(fd, $0) } }
        }
    }

    private static func writeBytes(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(fd, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 24))
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Failure(count == 0 ? EIO : errno) }
            offset += count
        }
    }
}

#if _endian(big)
#error("cache files are little-endian; this writer stores values as they lie in memory")
#endif
