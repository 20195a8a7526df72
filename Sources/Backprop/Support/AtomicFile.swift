import FoundationEssentials
import Glibc

/// Writes files so that readers see either the old content or the whole new content, never part.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `url`, then renames it over `url`, creating the
    /// parent folder when needed. A process interrupted at any point leaves the old file or the
    /// new one; there is no fsync, whose cost would dominate a short run (durability across a
    /// power loss is left to the file system).
    /// - Throws: `BackpropError` (`.output`) naming the path and the system's reason.
    public static func write(_ data: Data, to url: URL) throws {
        func failure(_ reason: String) -> BackpropError { BackpropError(.output, "cannot write \(url.path): \(reason)") }
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw failure("cannot create the folder \(folder.path) (is part of it a file?)")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
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
        guard rename(temporary, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw failure(reason)
        }
    }
}
