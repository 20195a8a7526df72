/// The processes that run one pipeline together: one process alone, or every rank of an
/// `mpirun` job. Collectives are called by every process in the same order.
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's position, 0 ..< size.
    var rank: Int { get }
    /// How many processes run the pipeline.
    var size: Int { get }

    /// Replaces `values` by their element-wise sum over every process.
    func sum(_ values: inout [Double]) throws
    /// Replaces `values` by their element-wise maximum over every process.
    func maximum(_ values: inout [Double]) throws
    /// Replaces `values` by their element-wise minimum over every process.
    func minimum(_ values: inout [Double]) throws
    /// Replaces `counts` by their element-wise sum over every process.
    func sum(_ counts: inout [Int64]) throws
    /// Every process's bytes, in rank order.
    func gather(_ bytes: [UInt8]) throws -> [[UInt8]]
}

extension ProcessGroup {
    /// Whether this process writes outputs and prints progress (rank 0).
    public var isLeader: Bool { rank == 0 }

    /// The agreement point after a step that can fail on some processes only: when any process
    /// failed, every process throws the error of the lowest failing rank, so all stop together
    /// with one message and nobody waits forever in a later collective.
    /// - Parameter failure: this process's error, or nil when it succeeded.
    public func agree(_ failure: BackpropError?) throws {
        var flag: [Int64] = [failure == nil ? 0 : 1]
        try sum(&flag)
        guard flag[0] > 0 else { return }
        let mine: [UInt8] = failure.map { Array($0.category.rawValue.utf8) + [0] + Array($0.message.utf8.prefix(4096)) } ?? []
        for bytes in try gather(mine) where !bytes.isEmpty {
            let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
            let category = BackpropError.Category(rawValue: String(decoding: parts[0], as: UTF8.self)) ?? .data
            let message = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : "another process failed"
            throw BackpropError(category, message)
        }
    }
}

/// A pipeline run by this process alone: every collective is the identity.
public final class SingleProcess: ProcessGroup {
    /// The one process.
    public static let shared = SingleProcess()

    /// Always 0.
    public var rank: Int { 0 }
    /// Always 1.
    public var size: Int { 1 }
    /// Leaves `values` as they are.
    public func sum(_ values: inout [Double]) {}
    /// Leaves `values` as they are.
    public func maximum(_ values: inout [Double]) {}
    /// Leaves `values` as they are.
    public func minimum(_ values: inout [Double]) {}
    /// Leaves `counts` as they are.
    public func sum(_ counts: inout [Int64]) {}
    /// This process's bytes alone.
    public func gather(_ bytes: [UInt8]) -> [[UInt8]] { [bytes] }
}
