import FoundationEssentials
import Glibc

/// Reads files named from outside (pipelines, models, data, plugins) without ever blocking on
/// a FIFO or a device: opened with `O_NONBLOCK`, refused unless a regular file, bounded in size.
public enum InputFile {
    /// Why a file could not be read; callers turn it into their own error category.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Nothing at that path.
        case notFound
        /// A FIFO, device, socket or directory.
        case notRegular(String)
        /// Larger than the limit.
        case tooLarge(size: Int, limit: Int)
        /// The system's reason.
        case unreadable(String)

        /// The reason, for messages.
        public var description: String {
            switch self {
            case .notFound: return "no such file"
            case .notRegular(let kind): return "not a regular file (\(kind)); refusing to read it"
            case .tooLarge(let size, let limit): return "the file has \(size) bytes, more than the limit of \(limit) (docs/limits.md)"
            case .unreadable(let reason): return "cannot read it (\(reason))"
            }
        }
    }

    /// What kind of node a `stat` mode describes, for messages.
    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    /// Checks that `path` is a regular file that can be opened without blocking.
    public static func checkRegular(_ path: String) throws(Failure) {
        let descriptor = try openRegular(path)
        close(descriptor)
    }

    /// The whole content of the regular file at `path`, at most `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(Failure) -> Data {
        let descriptor = try openRegular(path)
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        let announced = Int(info.st_size)
        guard announced <= limit else { throw .tooLarge(size: announced, limit: limit) }
        var data = Data(count: announced)
        var filled = 0
        while true {
            if filled == data.count {
                // The file may have grown since fstat: read on, up to the limit.
                guard data.count <= limit else { throw .tooLarge(size: data.count, limit: limit) }
                data.count += min(max(4096, data.count), limit + 1 - data.count)
            }
            let count = data.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
            if count == 0 { break }
            filled += count
        }
        guard filled <= limit else { throw .tooLarge(size: filled, limit: limit) }
        data.count = filled
        return data
    }

    /// Opens `path` read-only without blocking and checks it is a regular file.
    private static func openRegular(_ path: String) throws(Failure) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .notFound }
            if code == EISDIR { throw .notRegular("a directory") }
            throw .unreadable(String(cString: strerror(code)))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .unreadable(reason)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw .notRegular(kind(of: info.st_mode))
        }
        return descriptor
    }
}
