import Glibc

/// How long one stage of a run took, and the process's peak memory when it ended.
public struct StageTiming: Sendable, Equatable {
    /// The stage's position (0-based).
    public var index: Int
    /// The stage's kind.
    public var kind: String
    /// Wall-clock seconds the stage took.
    public var seconds: Double
    /// The process's peak resident memory in bytes when the stage ended (getrusage).
    public var peakMemoryBytes: Int

    /// As stored in `--json` and the report.
    var json: JSONValue {
        .object(["stage": .number(Double(index + 1)), "kind": .string(kind), "seconds": .number(seconds),
                 "peak_memory_bytes": .number(Double(peakMemoryBytes))])
    }

    /// The timings and the peak as one JSON object: `{"stages": [...], "peak_memory_bytes": n}`.
    static func json(_ timings: [StageTiming]) -> JSONValue {
        .object(["stages": .array(timings.map(\.json)), "peak_memory_bytes": .number(Double(ProcessClock.peakMemoryBytes))])
    }
}

/// The process's monotonic clock and peak memory.
public enum ProcessClock {
    /// Seconds on the monotonic clock.
    public static var now: Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// The peak resident memory of the process so far, in bytes (`getrusage`'s `ru_maxrss`).
    public static var peakMemoryBytes: Int {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return usage.ru_maxrss * 1024  // kilobytes on Linux
    }
}
