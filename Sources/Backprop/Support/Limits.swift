import Glibc

/// The upper bounds on sizes read from outside (files, pipeline fields, C calls), checked before
/// anything of that size is allocated. docs/limits.md lists them; errors name the limit.
public enum Limits {
    /// Largest pipeline file read, in bytes.
    public static let pipelineFileBytes = 16 << 20
    /// Largest model file read, in bytes.
    public static let modelFileBytes = 64 << 20
    /// Deepest JSON nesting (arrays and objects) read: a model needs 4, a pipeline 5. Parsing,
    /// writing and freeing JSON recurse per level, so this bounds the stack a load needs (the C
    /// ABI must work on threads with small stacks).
    public static let jsonNesting = 64
    /// Most epochs a train stage may ask for.
    public static let epochs = 10_000_000
    /// Most hidden layers.
    public static let hiddenLayers = 64
    /// Most units in one layer.
    public static let layerUnits = 65_536
    /// Most weights and biases in one network (8 bytes each, several copies while training).
    public static let networkParameters = 50_000_000
    /// Most categories in one one-hot column.
    public static let categories = 10_000
    /// Most values (rows × columns) in one matrix built from the data.
    public static let matrixValues = 1 << 28
    /// Memory a JSON document may take while parsed, per byte of its text (a value takes 16
    /// bytes, `0,` two bytes of text, and a growing array holds two copies for a moment).
    public static let jsonMemoryPerByte = 20
    /// Largest header of a cache file (its JSON part), in bytes.
    public static let cacheHeaderBytes = 64 << 20
    /// Most category labels of one column in a cache file.
    public static let cacheLabels = 4_000_000
    /// Most rows in a cache file.
    public static let cacheRows = 1 << 40
    /// Most characters of offending text quoted in an error line.
    public static let quotedCharacters = 80

    /// Checks that `count` values of `bytesEach` bytes are within `limit` values and that memory
    /// for them can be had now, so that the allocation that follows does not abort the process.
    /// - Throws: `BackpropError` of `category` naming `what`, the size and the limit.
    public static func reserve(_ count: Int, bytesEach: Int = 8, limit: Int, what: String, category: BackpropError.Category) throws {
        guard count >= 0, count <= limit else {
            throw BackpropError(category, "\(what): \(count) is more than the limit of \(limit) (docs/limits.md)")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: bytesEach)
        guard !overflow, let probe = malloc(max(bytes, 1)) else {
            throw BackpropError(category, "\(what) needs \(bytes >> 20) MiB of memory, and that much is not available")
        }
        free(probe)
    }

    /// `text` as quoted in an error line: at most `quotedCharacters` characters, with the length
    /// said when cut.
    public static func excerpt(_ text: some StringProtocol) -> String {
        var cut = text.prefix(quotedCharacters)
        guard cut.endIndex < text.endIndex else { return String(text) }
        cut = text.prefix(quotedCharacters - 1)
        return String(cut) + "… (\(text.utf8.count) bytes)"
    }
}
