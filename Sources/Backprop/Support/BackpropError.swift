/// An error a user can act on: one line that names the file, stage, field, row or column at
/// fault. Its category decides the command-line exit code.
public struct BackpropError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, broadly; each has its own exit code.
    public enum Category: String, Sendable {
        /// The pipeline file is unreadable, not JSON, or its stages or fields are wrong.
        case pipeline
        /// The data does not fit: bad CSV, missing values, unknown columns or categories.
        case data
        /// Training failed (the loss stopped being finite).
        case training
        /// A model file is missing, corrupt or of another format version.
        case model
        /// An output could not be written.
        case output

        /// The process exit code for this category.
        public var exitCode: Int32 {
            switch self {
            case .pipeline: return 2
            case .data: return 3
            case .training: return 4
            case .model: return 5
            case .output: return 6
            }
        }
    }

    /// The broad kind of failure.
    public var category: Category
    /// The one-line explanation.
    public var message: String

    /// The longest message kept, in bytes: a message quoting untrusted text (a huge field,
    /// a long list of names) is cut there, so that every error stays one readable line.
    public static let maximumMessageBytes = 1000

    /// Creates an error; a message longer than `maximumMessageBytes` is cut, saying so.
    public init(_ category: Category, _ message: String) {
        self.category = category
        if message.utf8.count > Self.maximumMessageBytes {
            var cut = Substring(message).prefix(Self.maximumMessageBytes - 40)
            while cut.utf8.count > Self.maximumMessageBytes - 40 { cut = cut.dropLast() }
            self.message = cut + "… (message cut from \(message.utf8.count) bytes)"
        } else {
            self.message = message
        }
    }

    /// The message.
    public var description: String { message }
}
