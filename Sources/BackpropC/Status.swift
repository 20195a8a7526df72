import Backprop
import Glibc

/// The C status codes of `include/backprop.h` (`bp_status`); keep the two in step.
enum Status: Int32, CaseIterable {
    case ok = 0
    case null = 1
    case size = 2
    case index = 3
    case unknownCategory = 4
    case nan = 5
    case notFound = 6
    case io = 7
    case corrupt = 8
    case truncated = 9
    case version = 10
    case pipeline = 11
    case data = 12
    case training = 13
    case output = 14
    case internalError = 15
    case pluginsNotAllowed = 16

    /// The C name, as static NUL-terminated text.
    var name: StaticString {
        switch self {
        case .ok: return "BP_OK"
        case .null: return "BP_ERR_NULL"
        case .size: return "BP_ERR_SIZE"
        case .index: return "BP_ERR_INDEX"
        case .unknownCategory: return "BP_ERR_UNKNOWN_CATEGORY"
        case .nan: return "BP_ERR_NAN"
        case .notFound: return "BP_ERR_NOT_FOUND"
        case .io: return "BP_ERR_IO"
        case .corrupt: return "BP_ERR_CORRUPT"
        case .truncated: return "BP_ERR_TRUNCATED"
        case .version: return "BP_ERR_VERSION"
        case .pipeline: return "BP_ERR_PIPELINE"
        case .data: return "BP_ERR_DATA"
        case .training: return "BP_ERR_TRAINING"
        case .output: return "BP_ERR_OUTPUT"
        case .internalError: return "BP_ERR_INTERNAL"
        case .pluginsNotAllowed: return "BP_ERR_PLUGINS_NOT_ALLOWED"
        }
    }

    /// The status for a pipeline error of `category`.
    init(_ category: BackpropError.Category) {
        switch category {
        case .pipeline: self = .pipeline
        case .data: self = .data
        case .training: self = .training
        case .model: self = .corrupt
        case .output: self = .output
        }
    }
}

extension Status {
    /// The status for a model file refused for `problem`.
    init(_ problem: ModelFile.Problem) {
        switch problem {
        case .truncated: self = .truncated
        case .wrongVersion: self = .version
        case .corrupt: self = .corrupt
        case .pluginsNotAllowed: self = .pluginsNotAllowed
        case .notFound: self = .notFound
        case .unreadable: self = .io
        }
    }
}

/// A failure on its way to C: the status and the message for `bp_last_error`.
struct Failure: Error {
    var status: Status
    var message: String

    init(_ status: Status, _ message: String) {
        self.status = status
        self.message = message
    }
}

/// The per-thread message of the last failed call: a malloc'd copy per thread, freed when the
/// thread ends or the next failure replaces it. No global mutable state besides the key.
private let lastErrorKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { free($0) }
    return key
}()

/// Records `failure`'s message for this thread and returns its status code.
func report(_ failure: Failure) -> Int32 {
    let old = pthread_getspecific(lastErrorKey)
    pthread_setspecific(lastErrorKey, strdup(failure.message))
    free(old)
    return failure.status.rawValue
}

/// This thread's last message, or nil.
func lastErrorMessage() -> UnsafePointer<CChar>? {
    pthread_getspecific(lastErrorKey).map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) }
}

/// Runs `body`, turning a thrown `Failure` into its recorded status.
@inline(__always)
func guarded(_ body: () throws(Failure) -> Void) -> Int32 {
    do {
        try body()
        return Status.ok.rawValue
    } catch {
        return report(error)
    }
}

extension StaticString {
    /// The text as a C string (static storage).
    var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
