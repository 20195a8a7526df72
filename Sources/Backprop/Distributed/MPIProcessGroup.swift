// The only file that imports CMPI: Open MPI, loaded with dlopen only when mpirun started us.
import CMPI

/// The ranks of an `mpirun` job, through Open MPI (loaded at run time; a process started without
/// mpirun never loads it).
public final class MPIProcessGroup: ProcessGroup {
    /// This process's rank in MPI_COMM_WORLD.
    public let rank: Int
    /// The number of processes in MPI_COMM_WORLD.
    public let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Whether mpirun (Open MPI or PMIx) started this process.
    public static var launchedByMPIRun: Bool { bp_mpi_launched() != 0 }

    /// Loads Open MPI and joins the job.
    /// - Throws: `BackpropError` (`.pipeline`) when libmpi cannot be loaded or initialised.
    public static func join() throws -> MPIProcessGroup {
        var message = [CChar](repeating: 0, count: 512)
        guard bp_mpi_load(&message, message.count) == 0 else {
            throw BackpropError(.pipeline, String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        var rank: Int32 = -1, size: Int32 = 0
        guard bp_mpi_init(&rank, &size) == 0, size >= 1, rank >= 0, rank < size else {
            throw BackpropError(.pipeline, "Open MPI: MPI_Init failed")
        }
        return MPIProcessGroup(rank: Int(rank), size: Int(size))
    }

    /// Element-wise sum over every rank.
    public func sum(_ values: inout [Double]) throws {
        try check(values.withUnsafeMutableBufferPointer { bp_mpi_allreduce_double($0.baseAddress, $0.count, BP_MPI_SUM) }, "MPI_Allreduce")
    }

    /// Element-wise maximum over every rank.
    public func maximum(_ values: inout [Double]) throws {
        try check(values.withUnsafeMutableBufferPointer { bp_mpi_allreduce_double($0.baseAddress, $0.count, BP_MPI_MAX) }, "MPI_Allreduce")
    }

    /// Element-wise minimum over every rank.
    public func minimum(_ values: inout [Double]) throws {
        try check(values.withUnsafeMutableBufferPointer { bp_mpi_allreduce_double($0.baseAddress, $0.count, BP_MPI_MIN) }, "MPI_Allreduce")
    }

    /// Element-wise sum of counts over every rank.
    public func sum(_ counts: inout [Int64]) throws {
        try check(counts.withUnsafeMutableBufferPointer { bp_mpi_allreduce_int64($0.baseAddress, $0.count, BP_MPI_SUM) }, "MPI_Allreduce")
    }

    /// Every rank's bytes, in rank order (lengths first, then the bytes).
    public func gather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var lengths = [Int64](repeating: 0, count: size)
        lengths[rank] = Int64(bytes.count)
        try sum(&lengths)
        var offsets = [Int64](repeating: 0, count: size)
        var total: Int64 = 0
        for r in 0..<size {
            offsets[r] = total
            let (next, overflow) = total.addingReportingOverflow(lengths[r])
            guard !overflow, next <= Int64(Int32.max) else {
                throw BackpropError(.pipeline, "Open MPI: \(next) bytes to gather is over the limit of \(Int32.max)")
            }
            total = next
        }
        var all = [UInt8](repeating: 0, count: Int(total))
        try check(bytes.withUnsafeBytes { send in
            all.withUnsafeMutableBytes { receive in
                bp_mpi_allgatherv_bytes(send.baseAddress, send.count, receive.baseAddress, lengths, offsets)
            }
        }, "MPI_Allgatherv")
        return (0..<size).map { r in Array(all[Int(offsets[r])..<Int(offsets[r] + lengths[r])]) }
    }

    /// Leaves the job (MPI_Finalize).
    public func finish() {
        _ = bp_mpi_finalize()
    }

    private func check(_ status: Int32, _ function: String) throws {
        guard status == 0 else { throw BackpropError(.pipeline, "Open MPI: \(function) failed on rank \(rank)") }
    }
}
