// The only file that touches the plugin C ABI (include/backprop_plugin.h) and dlopen/dlsym.
// Everything unsafe stays here; the rest of the library sees Swift arrays and thrown errors.
import CBackpropPlugin
import FoundationEssentials
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Why a plugin call failed, as one line without the stage prefix (callers add it).
struct PluginFailure: Error, Equatable {
    /// The explanation.
    var message: String
}

/// A plugin shared library, opened and its descriptor checked; closed when released.
final class PluginLibrary: @unchecked Sendable {
    /// The file that was opened.
    let path: String
    /// The plugin's kind name, from its descriptor.
    let name: String
    /// The plugin's one-line summary, from its descriptor.
    let summary: String
    private let handle: UnsafeMutableRawPointer
    private let descriptor: UnsafePointer<bp_plugin_descriptor>

    /// The ABI major version this host implements.
    static let abiMajor = UInt32(BACKPROP_PLUGIN_ABI_MAJOR)
    /// The ABI minor version this host was built with.
    static let abiMinor = UInt32(BACKPROP_PLUGIN_ABI_MINOR)

    /// Opens `path` and checks its descriptor: entry symbol, ABI major version, struct size, and
    /// that every function pointer of ABI 1.0 is set. The file must be a regular file (never a
    /// FIFO or device, which would block). With `onlyIfLoaded`, a library this process has not
    /// loaded already is not opened (`RTLD_NOLOAD`: no code of it runs).
    /// - Throws: `PluginFailure` saying what is missing or incompatible.
    init(path: String, onlyIfLoaded: Bool = false) throws {
        do {
            try InputFile.checkRegular(path)
        } catch .notFound {
            throw PluginFailure(message: "library not found at \(path)")
        } catch {
            throw PluginFailure(message: "cannot load \(path): \(error)")
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | (onlyIfLoaded ? RTLD_NOLOAD : 0)) else {
            if onlyIfLoaded { throw PluginFailure(message: "library \(path) is not loaded and may not be opened here") }
            throw PluginFailure(message: "cannot load: \(Self.dlerrorText())")
        }
        func fail(_ message: String) -> PluginFailure {
            dlclose(handle)
            return PluginFailure(message: message)
        }
        guard let symbol = dlsym(handle, BACKPROP_PLUGIN_ENTRY) else {
            throw fail("no '\(BACKPROP_PLUGIN_ENTRY)' symbol (is it a Backprop plugin?)")
        }
        typealias Entry = @convention(c) () -> UnsafePointer<bp_plugin_descriptor>?
        guard let descriptor = unsafeBitCast(symbol, to: Entry.self)() else {
            throw fail("'\(BACKPROP_PLUGIN_ENTRY)' returned NULL")
        }
        // Read the two leading fields before trusting the rest of the layout.
        let raw = UnsafeRawPointer(descriptor)
        let version = raw.load(as: UInt32.self)
        let size = raw.load(fromByteOffset: 4, as: UInt32.self)
        let major = version >> 16, minor = version & 0xFFFF
        guard major == Self.abiMajor else {
            throw fail("built for plugin ABI \(major).\(minor), this host supports \(Self.abiMajor).x")
        }
        let needed = MemoryLayout<bp_plugin_descriptor>.size
        guard Int(size) >= needed else {
            throw fail("descriptor struct_size is \(size) bytes, ABI \(Self.abiMajor).0 needs at least \(needed)")
        }
        let d = descriptor.pointee
        let missing = [
            ("name", d.name == nil), ("create", d.create == nil), ("destroy", d.destroy == nil),
            ("fit", d.fit == nil), ("transform", d.transform == nil), ("save_state", d.save_state == nil),
            ("restore_state", d.restore_state == nil), ("last_error", d.last_error == nil),
        ].first { $0.1 }
        if let missing { throw fail("descriptor field '\(missing.0)' is NULL") }
        self.path = path
        self.handle = handle
        self.descriptor = descriptor
        self.name = String(cString: d.name)
        self.summary = d.summary.map { String(cString: $0) } ?? ""
    }

    deinit { dlclose(handle) }

    /// Creates an unfitted instance from the stage's parameters (JSON object text).
    /// - Throws: `PluginFailure` with the plugin's message when it rejects them.
    func makeInstance(parametersJSON: String) throws -> PluginInstance {
        var created: OpaquePointer?
        let status = parametersJSON.withCString { descriptor.pointee.create(Optional($0), &created) }
        guard status == BP_PLUGIN_OK, let created else {
            throw PluginFailure(message: "create failed: \(lastError(nil))")
        }
        return PluginInstance(library: self, pointer: created)
    }

    /// The plugin's message for `instance` (NULL: the last failed create on this thread).
    fileprivate func lastError(_ instance: OpaquePointer?) -> String {
        guard let text = descriptor.pointee.last_error(instance) else { return "(no message)" }
        let message = String(cString: text)
        return message.isEmpty ? "(no message)" : message
    }

    fileprivate var table: bp_plugin_descriptor { descriptor.pointee }

    private static func dlerrorText() -> String {
        dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
    }
}

/// One plugin instance (`create` … `destroy`), used from one thread at a time (a lock makes sure).
final class PluginInstance: @unchecked Sendable {
    /// The library it came from; kept open while the instance lives.
    let library: PluginLibrary
    private let pointer: OpaquePointer
    private let lock = Mutex(())

    fileprivate init(library: PluginLibrary, pointer: OpaquePointer) {
        self.library = library
        self.pointer = pointer
    }

    deinit { library.table.destroy(pointer) }

    private func check(_ status: Int32, _ function: String) throws {
        guard status == BP_PLUGIN_OK else {
            throw PluginFailure(message: "\(function) failed: \(library.lastError(pointer))")
        }
    }

    /// Fits on a row-major `rows` × `columns.count` matrix.
    func fit(columns: [String], values: [Double], rows: Int) throws {
        precondition(values.count == rows * columns.count)
        try lock.withLock { _ in
            try withCStrings(columns) { names in
                try values.withUnsafeBufferPointer { buffer in
                    try check(library.table.fit(pointer, names, columns.count, buffer.baseAddress, rows), "fit")
                }
            }
        }
    }

    /// Transforms a row-major `rows` × `columns.count` matrix into a new one of the same shape.
    /// - Throws: `PluginFailure` when the plugin reports an error or a different row count.
    func transform(columns: [String], values: [Double], rows: Int) throws -> [Double] {
        precondition(values.count == rows * columns.count)
        var output = [Double](repeating: .nan, count: values.count)
        var rowsOut = Int.max
        try lock.withLock { _ in
            try withCStrings(columns) { names in
                try values.withUnsafeBufferPointer { input in
                    try output.withUnsafeMutableBufferPointer { out in
                        try check(library.table.transform(
                            pointer, names, columns.count, input.baseAddress, rows, out.baseAddress, &rowsOut), "transform")
                    }
                }
            }
        }
        guard rowsOut == rows else {
            let said = rowsOut == Int.max ? "did not report its row count" : "returned \(rowsOut) rows for \(rows)"
            throw PluginFailure(message: "transform \(said) (a plugin must keep every row)")
        }
        return output
    }

    /// The fitted state as bytes (two calls: size, then content).
    func saveState() throws -> [UInt8] {
        try lock.withLock { _ in
            var size = 0
            try check(library.table.save_state(pointer, nil, 0, &size), "save_state")
            var bytes = [UInt8](repeating: 0, count: size)
            var written = 0
            try bytes.withUnsafeMutableBufferPointer { buffer in
                try check(library.table.save_state(pointer, buffer.baseAddress, size, &written), "save_state")
            }
            guard written == size else {
                throw PluginFailure(message: "save_state gave \(written) bytes after announcing \(size)")
            }
            return bytes
        }
    }

    /// Restores state made by `saveState`.
    func restoreState(_ bytes: [UInt8]) throws {
        try lock.withLock { _ in
            try bytes.withUnsafeBufferPointer { buffer in
                try check(library.table.restore_state(pointer, buffer.baseAddress, bytes.count), "restore_state")
            }
        }
    }

    /// Calls `body` with NUL-terminated copies of `strings`, freed afterwards.
    private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows -> R {
        let copies = strings.map { UnsafePointer<CChar>(strdup($0)) }
        defer { copies.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        return try copies.withUnsafeBufferPointer { try body($0.baseAddress) }
    }
}
