import Glibc

/// An open file read in blocks at any offset (`pread`), from several threads at once.
final class CSVFile: @unchecked Sendable {
    /// The name used in messages.
    let name: String
    /// Its size in bytes when opened.
    let size: Int
    /// Its modification time when opened (seconds and nanoseconds).
    let modified: (seconds: Int, nanoseconds: Int)
    private let descriptor: Int32

    /// Opens `path` for reading, without blocking (a FIFO or device is refused, not waited on).
    /// - Throws: `.data` "cannot read the file" naming why: missing, not a regular file, unreadable.
    init(path: String, name: String) throws {
        self.name = name
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            let failure: InputFile.Failure = code == ENOENT || code == ENOTDIR ? .notFound
                : code == EISDIR ? .notRegular("a directory") : .unreadable(String(cString: strerror(code)))
            throw BackpropError(.data, "\(name): cannot read the file: \(failure)")
        }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            let failure = InputFile.Failure.notRegular(InputFile.kind(of: status.st_mode))
            close(fd)
            throw BackpropError(.data, "\(name): cannot read the file: \(failure)")
        }
        descriptor = fd
        size = Int(status.st_size)
        modified = (Int(status.st_mtim.tv_sec), Int(status.st_mtim.tv_nsec))
    }

    deinit { close(descriptor) }

    /// Fills `buffer` from `offset` (less at the end of the file).
    /// - Returns: the number of bytes read; 0 at the end.
    /// - Throws: `.data` naming the file and the system's reason.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try preadFully(descriptor, at: offset, into: buffer) { "\(name): cannot read the file (\($0))" }
    }

    /// Calls `body` with consecutive blocks of at most `blockSize` bytes of `range`.
    func forEachBlock(
        in range: Range<Int>, blockSize: Int = 1 << 20,
        _ body: (_ offset: Int, _ block: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(blockSize, max(1, range.count)), alignment: 16)
        defer { buffer.deallocate() }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let wanted = min(buffer.count, range.upperBound - offset)
            let count = try read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<wanted]))
            if count == 0 { break }
            try body(offset, UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            offset += count
        }
    }

    /// The 1-based line that the byte at `offset` is on.
    func line(at offset: Int) throws -> Int {
        try lineFeeds(in: 0..<min(offset, size)) + 1
    }

    /// The line feed bytes in `range`.
    func lineFeeds(in range: Range<Int>) throws -> Int {
        var count = 0
        try forEachBlock(in: range) { _, block in
            for byte in block where byte == 0x0A { count += 1 }
        }
        return count
    }

    /// The offset just past the first line feed at or after `offset`, or nil when there is none.
    func offsetAfterLineFeed(from offset: Int) throws -> Int? {
        var found: Int?
        var position = offset
        while found == nil, position < size {
            let before = position
            try forEachBlock(in: position..<min(size, position + 65_536), blockSize: 65_536) { start, block in
                if let index = block.firstIndex(of: 0x0A) { found = start + index + 1 }
                position = start + block.count
            }
            if position == before { break }  // the file got shorter
        }
        return found
    }
}
