/// How a model file is loaded: whether its plugin steps may run code, and whether its checksum
/// is checked.
public struct ModelLoadOptions: Sendable {
    /// What to do with a model's plugin steps, which name shared libraries.
    public enum Plugins: Sendable {
        /// Refuse a model with plugin steps (the default): loading must never run code the
        /// caller did not allow.
        case refuse
        /// Read plugin steps without loading their libraries: enough to describe the model
        /// (`pipeline inspect`), not to predict with it.
        case describeOnly
        /// Load each plugin step's library by its file name from these folders only; the path
        /// recorded in the model is never opened.
        case load(PluginSearchPath)
    }

    /// The plugin policy.
    public var plugins: Plugins
    /// Whether a `checksum` field must match the content (off only to re-seal a file).
    public var verifyChecksum: Bool

    /// Options: plugins refused and the checksum checked unless said otherwise.
    public init(plugins: Plugins = .refuse, verifyChecksum: Bool = true) {
        self.plugins = plugins
        self.verifyChecksum = verifyChecksum
    }
}

/// Why model bytes were refused: the broad problem (each its own C status) and the message.
public struct ModelLoadFailure: Error, Sendable {
    /// The broad kind of problem.
    public var problem: ModelFile.Problem
    /// One line saying what is wrong, naming the field.
    public var message: String

    /// Creates a failure.
    public init(_ problem: ModelFile.Problem, _ message: String) {
        self.problem = problem
        self.message = BackpropError(.model, message).message  // bounded like every error line
    }
}
