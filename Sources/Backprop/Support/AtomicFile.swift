import FoundationEssentials
import Glibc

/// Writes files so that readers see either the old content or the whole new content, never part,
/// and so that a run's outputs appear together: every temporary file is written first, then all
/// are renamed; on a failure before the renames every temporary file is removed.
///
/// Only a regular file (or nothing) is ever replaced: a FIFO, device, directory or socket at an
/// output path is refused, and a symbolic link too unless `followSymlinks`, in which case its
/// target is written and the link stays. Temporary files are `.NAME.PID.tmp` beside the output;
/// those left by a killed process (its PID no longer running) are removed by the next write there.
public enum AtomicFile {
    /// One file to write.
    public struct Item: Sendable {
        /// Where it goes.
        public var url: URL
        /// Its full content.
        public var data: Data

        /// Creates an item.
        public init(url: URL, data: Data) {
            self.url = url
            self.data = data
        }
    }

    /// Writes `data` to `url` atomically (see the type's description).
    /// - Throws: `BackpropError` (`.output`) naming the path and the system's reason.
    public static func write(_ data: Data, to url: URL, followSymlinks: Bool = false) throws {
        try writeAll([Item(url: url, data: data)], followSymlinks: followSymlinks)
    }

    /// Writes every item, all or nothing as far as the file system allows: all temporary files
    /// first (removed again if any fails), then the renames.
    /// - Throws: `BackpropError` (`.output`) naming the path and the reason.
    public static func writeAll(_ items: [Item], followSymlinks: Bool = false) throws {
        var staged: [(temporary: String, target: String)] = []
        do {
            var targets: [(item: Item, target: String)] = []
            for item in items {
                let target = try destination(item.url, followSymlinks: followSymlinks)
                targets.removeAll { $0.target == target }  // the same file twice: the last content wins
                targets.append((item, target))
            }
            for (item, target) in targets {
                staged.append((try stage(item.data, beside: target), target))
            }
        } catch {
            for entry in staged { unlink(entry.temporary) }
            throw error
        }
        for (index, entry) in staged.enumerated() where rename(entry.temporary, entry.target) != 0 {
            let reason = String(cString: strerror(errno))
            for rest in staged[index...] { unlink(rest.temporary) }
            throw BackpropError(.output, "cannot write \(entry.target): \(reason)")
        }
    }

    /// Checks what is at `url` and gives the path to rename onto.
    /// - Throws: `.output` for a node that is not a regular file, or a symbolic link not followed.
    public static func destination(_ url: URL, followSymlinks: Bool) throws -> String {
        var path = url.path
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            guard followSymlinks else {
                throw BackpropError(.output, "cannot write \(path): it is a symbolic link; refusing to replace it (follow it with --follow-symlinks)")
            }
            guard let resolved = realpath(path, nil) else {
                throw BackpropError(.output, "cannot write \(path): the symbolic link points nowhere (\(String(cString: strerror(errno))))")
            }
            path = String(cString: resolved)
            free(resolved)
        }
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            throw BackpropError(.output, "cannot write \(path): it is \(InputFile.kind(of: info.st_mode)), not a regular file; refusing to replace it")
        }
        return path
    }

    /// Writes `data` into a new temporary file in `target`'s folder (created when needed),
    /// after removing temporary files of `target` left there by processes no longer running.
    private static func stage(_ data: Data, beside target: String) throws -> String {
        func failure(_ reason: String) -> BackpropError { BackpropError(.output, "cannot write \(target): \(reason)") }
        let url = URL(fileURLWithPath: target)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw failure("cannot create the folder \(folder.path) (is part of it a file?)")
        }
        removeStaleTemporaries(of: url.lastPathComponent, in: folder.path)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw failure(String(cString: strerror(errno))) }
        let written = data.withUnsafeBytes { bytes -> Bool in
            var offset = 0
            while offset < bytes.count {
                let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        let reason = String(cString: strerror(errno))
        guard close(descriptor) == 0, written else {
            unlink(temporary)
            throw failure(reason)
        }
        return temporary
    }

    /// Removes `.NAME.PID.tmp` files in `folder` whose PID is not a running process.
    static func removeStaleTemporaries(of name: String, in folder: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let prefix = ".\(name).", suffix = ".tmp"
        for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(suffix) && entry.count > prefix.count + suffix.count {
            let digits = entry.dropFirst(prefix.count).dropLast(suffix.count)
            guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let pid = Int32(digits), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(folder + "/" + entry)
            }
        }
    }
}
