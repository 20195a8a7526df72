import Backprop
import Foundation

/// A fake `mpirun` job inside one test process: `size` ranks run as threads, and every
/// collective of `ProcessGroup` behaves as MPI's would: all ranks call it in the same order, each
/// waits for the others, and every rank gets the same result, combined in rank order (so the
/// results are deterministic).
///
/// ```swift
/// let models = try ThreadedProcessGroup.run(ranks: 3) { group in try runPipeline(on: group) }
/// ```
final class ThreadedProcessGroup: ProcessGroup, @unchecked Sendable {
    /// This thread's rank.
    let rank: Int
    /// The number of ranks.
    let size: Int
    private let exchange: Exchange

    private init(rank: Int, exchange: Exchange) {
        self.rank = rank
        self.size = exchange.size
        self.exchange = exchange
    }

    /// Runs `body` once per rank, each on its own thread with its rank's group, and returns
    /// what each returned, in rank order. A rank that throws does not stop the others: its
    /// result is the error (as with MPI, a rank that leaves a collective early makes the others
    /// wait: bodies that can fail meet at `agree(_:)`, as the pipeline runner does).
    static func run<T>(ranks: Int, _ body: @escaping @Sendable (ThreadedProcessGroup) throws -> T) -> [Result<T, any Error>] {
        precondition(ranks >= 1, "at least one rank")
        let exchange = Exchange(size: ranks)
        let results = Box<[Result<T, any Error>?]>(Array(repeating: nil, count: ranks))
        let done = DispatchGroup()
        for rank in 0..<ranks {
            done.enter()
            // A thread per rank (not a dispatch pool, which may run fewer at once and deadlock
            // the barrier), with a large stack as the main thread has.
            let thread = Thread {
                let result = Result { try body(ThreadedProcessGroup(rank: rank, exchange: exchange)) }
                results.lock.withLock { results.value[rank] = result }
                done.leave()
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        done.wait()
        return results.value.map { $0! }
    }

    /// Element-wise sum, added in rank order.
    func sum(_ values: inout [Double]) throws {
        values = try combine(values) { $0 + $1 }
    }

    /// Element-wise maximum.
    func maximum(_ values: inout [Double]) throws {
        values = try combine(values) { Swift.max($0, $1) }
    }

    /// Element-wise minimum.
    func minimum(_ values: inout [Double]) throws {
        values = try combine(values) { Swift.min($0, $1) }
    }

    /// Element-wise sum of counts.
    func sum(_ counts: inout [Int64]) throws {
        counts = try combine(counts) { $0 + $1 }
    }

    /// Every rank's bytes, in rank order.
    func gather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        exchange.share(bytes, from: rank).map { $0 as! [UInt8] }
    }

    private func combine<Value>(_ values: [Value], _ operation: (Value, Value) -> Value) throws -> [Value] {
        let all = exchange.share(values, from: rank).map { $0 as! [Value] }
        guard all.allSatisfy({ $0.count == values.count }) else {
            throw BackpropError(.pipeline, "ThreadedProcessGroup: ranks reduced arrays of different lengths \(all.map(\.count))")
        }
        var result = all[0]
        for other in all.dropFirst() {
            for i in result.indices { result[i] = operation(result[i], other[i]) }
        }
        return result
    }
}

/// The meeting point of the ranks: each posts a value, waits for all, reads them all, and waits
/// again before the slots can be reused by the next collective.
private final class Exchange: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var slots: [Any?]
    private var arrived = 0
    private var generation = 0

    init(size: Int) {
        self.size = size
        slots = Array(repeating: nil, count: size)
    }

    /// Every rank's `value`, in rank order (called by every rank).
    func share(_ value: Any, from rank: Int) -> [Any] {
        condition.lock()
        slots[rank] = value
        wait()
        let all = slots.map { $0! }
        wait()
        condition.unlock()
        return all
    }

    /// A barrier; the lock is held on entry and on return.
    private func wait() {
        let mine = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
    }
}

/// A value shared by the rank threads behind a lock.
private final class Box<Value>: @unchecked Sendable {
    let lock = NSLock()
    var value: Value
    init(_ value: Value) { self.value = value }
}
