import FoundationEssentials
import Glibc

/// Where plugin libraries are looked for: the folders of `BACKPROP_PLUGIN_PATH` (colon-separated),
/// then, for a pipeline's `library` field, the pipeline file's folder.
public struct PluginSearchPath: Sendable {
    /// The folders searched, in order.
    public var folders: [URL]

    /// A search path of explicit folders.
    public init(folders: [URL]) {
        self.folders = folders
    }

    /// The folders named by `BACKPROP_PLUGIN_PATH` (empty entries ignored).
    public static var environment: PluginSearchPath {
        // getenv, not ProcessInfo: that copies the whole environment into a dictionary each time.
        let value = getenv("BACKPROP_PLUGIN_PATH").map { String(cString: $0) } ?? ""
        return PluginSearchPath(folders: value.split(separator: ":").map { URL(fileURLWithPath: String($0), isDirectory: true) })
    }

    /// The file name a plugin of kind `kind` has on the search path: `lib<kind>.so`.
    public static func libraryName(forKind kind: String) -> String { "lib\(kind).so" }

    /// The first existing file called `name` in the folders, or nil.
    public func find(_ name: String) -> URL? {
        guard !name.isEmpty, !name.contains("/") else { return nil }
        return folders.lazy.map { $0.appendingPathComponent(name) }.first {
            FileManager.default.fileExists(atPath: $0.path)
        }
    }

    /// Resolves a pipeline's `library` field: a path with a slash is taken relative to
    /// `pipelineFolder` (or as is when absolute); a bare file name is looked for in the folders,
    /// then in `pipelineFolder`.
    /// - Throws: `PluginFailure` listing where it looked.
    func locate(_ library: String, pipelineFolder: URL) throws -> URL {
        if library.contains("/") {
            let url = library.hasPrefix("/") ? URL(fileURLWithPath: library)
                : URL(fileURLWithPath: library, relativeTo: pipelineFolder)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw PluginFailure(message: "library not found at \(url.standardizedFileURL.path)")
            }
            return url.standardizedFileURL
        }
        if let found = (self.appending(pipelineFolder)).find(library) { return found.standardizedFileURL }
        throw PluginFailure(message: "library not found (looked in \(describe(plus: pipelineFolder)))")
    }

    /// The folders and one more, for messages.
    func describe(plus extra: URL? = nil) -> String {
        let list = (folders + (extra.map { [$0] } ?? [])).map(\.path)
        let env = folders.isEmpty ? "BACKPROP_PLUGIN_PATH (unset or empty)" : "BACKPROP_PLUGIN_PATH"
        return ([env] + list).joined(separator: ", ")
    }

    private func appending(_ folder: URL) -> PluginSearchPath {
        PluginSearchPath(folders: folders + [folder])
    }
}
