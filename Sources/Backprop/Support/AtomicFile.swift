import FoundationEssentials
import Glibc

/// Writes files so that readers see either the old content or the whole new content, never part.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `url`, then renames it over `url`, creating the
    /// parent folder when needed.
    /// - Throws: `BackpropError` (`.output`) naming the path.
    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try data.write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw BackpropError(.output, "cannot write \(url.path): \(String(cString: strerror(errno)))")
            }
        } catch let error as BackpropError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw BackpropError(.output, "cannot write \(url.path): \(error)")
        }
    }
}
