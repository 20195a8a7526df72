import Backprop
import FoundationEssentials

/// Reads a caller's `bp_load_options` (include/backprop.h) field by field, trusting only the
/// fields its `struct_size` says exist, so that callers built against an older, shorter struct
/// keep working and newer fields default.
///
/// Layout (LP64): `size_t struct_size` at 0, `unsigned flags` at 8, `const char *plugin_path` at 16.
enum LoadOptions {
    /// `BP_LOAD_ALLOW_PLUGINS`.
    static let allowPlugins: UInt32 = 1
    /// Every flag bit this library knows.
    static let knownFlags: UInt32 = allowPlugins

    /// The options at `pointer`, or the defaults (plugins refused) for NULL.
    static func read(_ pointer: UnsafeRawPointer?, _ function: StaticString) throws(Failure) -> ModelLoadOptions {
        guard let pointer else { return ModelLoadOptions() }
        let size = pointer.loadUnaligned(as: UInt.self)
        guard size >= 12 else {
            throw Failure(.size, "\(function): options->struct_size is \(size); set it to sizeof(bp_load_options)")
        }
        let flags = pointer.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        guard flags & ~knownFlags == 0 else {
            throw Failure(.size, "\(function): options->flags has unknown bits 0x\(String(flags & ~knownFlags, radix: 16)) (this library knows 0x\(String(knownFlags, radix: 16)))")
        }
        guard flags & allowPlugins != 0 else { return ModelLoadOptions() }
        var search = PluginSearchPath.environment
        if size >= 24, let text = pointer.loadUnaligned(fromByteOffset: 16, as: UnsafePointer<CChar>?.self) {
            search = PluginSearchPath(folders: String(cString: text).split(separator: ":").map {
                URL(fileURLWithPath: String($0), isDirectory: true)
            })
        }
        return ModelLoadOptions(plugins: .load(search))
    }
}
