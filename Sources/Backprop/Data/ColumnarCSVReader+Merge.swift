import Dispatch

extension ColumnarCSVReader {
    /// Number values below which a merge copies its columns on one thread.
    static let parallelMergeValues = 1 << 20

    /// One column per column of the file from the parts, in order; each part's buffers released
    /// as soon as they are copied (the number columns copied on as many threads as there are
    /// parts). Row ids count from the first part's first record. The sinks take no more rows.
    /// - Parameter requireRows: whether no rows at all is an error (not for one process's share).
    static func merge(_ sinks: [CSVColumnSink], plan: CSVColumnPlan, file: CSVFile, requireRows: Bool = true) throws -> CSVColumns {
        let rowCount = try keptRows(sinks, file: file, requireRows: requireRows)
        for sink in sinks { sink.stopTakingRows() }
        let numbers = concatenate(sinks, slots: plan.roles.count(where: { $0 == .number }), rowCount: rowCount)
        return assemble(sinks, numbers: numbers, plan: plan, rowCount: rowCount)
    }

    /// The rows the parts kept.
    /// - Throws: `.data` when there are none and `requireRows`.
    static func keptRows(_ sinks: [CSVColumnSink], file: CSVFile, requireRows: Bool) throws -> Int {
        let rowCount = sinks.reduce(0) { $0 + $1.rowCount }
        guard rowCount > 0 || !requireRows else {
            let records = sinks.reduce(0) { $0 + $1.records }
            throw BackpropError(.data, records == 0 ? "\(file.name): no data rows after the header" : "\(file.name): every row has a missing value")
        }
        return rowCount
    }

    /// The file's columns from the number columns (in column order, `rowCount` values each) and
    /// the parts' label codes and records.
    static func assemble(_ sinks: [CSVColumnSink], numbers: [[Double]], plan: CSVColumnPlan, rowCount: Int) -> CSVColumns {
        let numberColumns = plan.roles.indices.filter { plan.roles[$0] == .number }
        var columns = [ColumnValues?](repeating: nil, count: plan.header.count)
        for (slot, index) in numberColumns.enumerated() { columns[index] = .numeric(numbers[slot]) }
        for (slot, index) in plan.roles.indices.filter({ plan.roles[$0] == .label }).enumerated() {
            columns[index] = .categorical(mergeLabels(sinks, slot: slot, rowCount: rowCount))
        }
        var rowIDs = [Int]()
        rowIDs.reserveCapacity(rowCount)
        var recordBase = 0
        for sink in sinks {
            var dropped = sink.dropped.makeIterator(), nextDropped = dropped.next().map(Int.init)
            for record in 0..<sink.records {
                if record == nextDropped { nextDropped = dropped.next().map(Int.init); continue }
                rowIDs.append(recordBase + record)
            }
            recordBase += sink.records
        }
        return CSVColumns(columns: columns, rowIDs: rowIDs)
    }

    /// Number columns `0..<slots` of the parts, each the parts' values in order: the copies (and
    /// the page faults of the new arrays) spread over one thread per part when large.
    private static func concatenate(_ sinks: [CSVColumnSink], slots: Int, rowCount: Int) -> [[Double]] {
        let threads = rowCount.multipliedReportingOverflow(by: slots).partialValue >= parallelMergeValues ? min(sinks.count, slots) : 1
        guard threads > 1 else { return (0..<slots).map { concatenate(sinks, slot: $0, rowCount: rowCount) } }
        let results = UnsafeMutableBufferPointer<[Double]>.allocate(capacity: slots)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        let shared = UncheckedResults(results)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for slot in stride(from: thread, to: slots, by: threads) {
                shared.buffer[slot] = concatenate(sinks, slot: slot, rowCount: rowCount)
            }
        }
        return (0..<slots).map { slot in
            (results.baseAddress! + slot).move()
        }
    }

    /// One number column from the parts, in order; each part's buffer freed once copied.
    private static func concatenate(_ sinks: [CSVColumnSink], slot: Int, rowCount: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: rowCount) { buffer, initialized in
            for sink in sinks {
                let values = sink.numbers(slot)
                let count = min(values.count, rowCount - initialized)
                if count > 0 { (buffer.baseAddress! + initialized).initialize(from: values.baseAddress!, count: count) }
                initialized += count
                sink.releaseNumbers(slot)
            }
        }
    }

    /// One label column from the parts' encoders: labels in the order first seen, unused ones
    /// (seen only in dropped rows) left out.
    private static func mergeLabels(_ sinks: [CSVColumnSink], slot: Int, rowCount: Int) -> CategoricalValues {
        var position = [String: UInt32]()
        var labels = [String]()
        var codes = [UInt32]()
        codes.reserveCapacity(rowCount)
        for sink in sinks {
            let partLabels = sink.labels[slot].labels
            var remap = [UInt32?](repeating: nil, count: partLabels.count)
            for code in sink.codes(slot) {
                if let mapped = remap[Int(code)] {
                    codes.append(mapped)
                    continue
                }
                let label = partLabels[Int(code)]
                let mapped: UInt32
                if let known = position[label] {
                    mapped = known
                } else {
                    mapped = UInt32(labels.count)
                    position[label] = mapped
                    labels.append(label)
                }
                remap[Int(code)] = mapped
                codes.append(mapped)
            }
        }
        return CategoricalValues(uncheckedLabels: labels, codes: codes)
    }
}

/// The result slots of a parallel merge: each written by one thread, read after all finished.
private struct UncheckedResults: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<[Double]>
    init(_ buffer: UnsafeMutableBufferPointer<[Double]>) { self.buffer = buffer }
}
