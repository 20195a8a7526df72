import BackpropNumerics

/// Why rows could not be predicted.
public enum PredictionError: Error, Equatable, Sendable {
    /// A value is NaN or infinite (`row` and `input` are 0-based).
    case notFinite(row: Int, input: String)
    /// A categorical input holds a value that stands for none of its categories.
    case unknownCategory(row: Int, input: String, value: Double, known: [String])
    /// The generic path failed (a plugin transform refused the rows).
    case failed(BackpropError)

    /// One line saying what is wrong and where.
    public var message: String {
        switch self {
        case .notFinite(let row, let input):
            return "row \(row + 1), input '\(input)': the value is NaN or infinite (NaN means missing only for an input the model imputes)"
        case .unknownCategory(let row, let input, let value, let known):
            return "row \(row + 1), input '\(input)': unknown category \(OneHotTransform.label(for: value)) (known: \(known.joined(separator: ", ")))"
        case .failed(let error):
            return error.message
        }
    }
}

/// Predicts from a `TrainedModel` row by row without allocating: the preprocessing compiled into
/// a `RawRowPlan` and the network into a `CompiledNetwork`. When either cannot be compiled (a
/// plugin transform, a non-elementwise activation), it takes the generic path, so results never
/// depend on what the fast path supports. Immutable, so one instance serves any number of
/// threads; a class, so that handing it around copies no arrays and counts no references.
public final class ModelPredictor: Sendable {
    /// The model it predicts with.
    public let model: TrainedModel
    private let plan: RawRowPlan?
    private let network: CompiledNetwork?
    /// The raw input names, for messages.
    private let inputNames: [String]
    /// Per raw input, whether NaN means missing (an imputed input); nil when no input is imputed.
    private let missingAllowed: [Bool]?

    /// Number of raw values per row.
    public let inputCount: Int
    /// Number of network inputs (features after preprocessing) per row.
    public let featureCount: Int
    /// Number of outputs per row.
    public let outputCount: Int
    /// Whether raw rows take the compiled path (else the generic `Dataset` one).
    public var isCompiled: Bool { plan != nil && network != nil }

    /// Values of scratch per row: the features, then the network's own scratch.
    private let networkScratch: Int

    /// `plan` and `network` as unmanaged references, for the hot loops.
    private let fast: (plan: Unmanaged<RawRowPlan>?, network: Unmanaged<CompiledNetwork>?)

    /// Compiles what it can of `model`.
    public init(model: TrainedModel) {
        self.model = model
        self.plan = RawRowPlan(model: model)
        self.network = CompiledNetwork(model.network)
        self.networkScratch = network?.scratchCount ?? 0
        self.fast = (plan.map { Unmanaged.passUnretained($0) }, network.map { Unmanaged.passUnretained($0) })
        self.inputNames = model.inputs.map(\.name)
        let imputed = model.imputedInputs
        self.missingAllowed = imputed.isEmpty ? nil : model.inputs.indices.map(imputed.contains)
        self.inputCount = model.inputs.count
        self.featureCount = model.network.inputCount
        self.outputCount = model.network.outputCount
    }

    /// Predicts raw rows (row-major, `inputCount` values each) into `output` (`outputCount` per
    /// row). Every row is checked before anything is written, so on error `output` is untouched.
    /// - Precondition: `raw.count == rowCount · inputCount`, `output.count == rowCount · outputCount`.
    public func predict(
        raw: UnsafeBufferPointer<Double>, rowCount: Int, into output: UnsafeMutableBufferPointer<Double>
    ) throws(PredictionError) {
        precondition(raw.count == rowCount * inputCount && output.count == rowCount * outputCount, "buffer sizes")
        guard rowCount > 0 else { return }
        let base = raw.baseAddress!
        guard let plan = fast.plan, let network = fast.network else {
            for index in 0..<raw.count where rejects(raw[index], input: index % inputCount) { throw notFinite(raw, at: index) }
            return try predictGeneric(raw: raw, rowCount: rowCount, into: output)
        }
        // The fast parts are reached without reference counting: `self` keeps them alive.
        let inputCount = self.inputCount, outputCount = self.outputCount, out = output.baseAddress!
        // One pass of checks (every row before anything is written), then one of work.
        let failure = plan._withUnsafeGuaranteedRef { plan -> PredictionError? in
            for row in 0..<rowCount {
                let values = base + row &* inputCount
                for i in 0..<inputCount where rejects(values[i], input: i) { return notFinite(raw, at: row &* inputCount &+ i) }
                if let column = plan.unknownCategory(in: values) {
                    // A NaN in a later row is still reported first, as when NaNs were checked in a pass of their own.
                    for index in (row + 1) * inputCount..<raw.count where rejects(raw[index], input: index % inputCount) { return notFinite(raw, at: index) }
                    return unknownCategory(raw, row: row, column: column)
                }
            }
            return nil
        }
        if let failure { throw failure }
        // The features and the network's scratch in one stack buffer, of a fixed size when it
        // fits (no size check per call).
        let total = featureCount + networkScratch
        @inline(__always) func work(_ buffer: UnsafeMutableBufferPointer<Double>) {
            let features = buffer.baseAddress!, scratch = features + featureCount
            plan._withUnsafeGuaranteedRef { plan in
                network._withUnsafeGuaranteedRef { network in
                    for row in 0..<rowCount {
                        plan.features(of: base + row &* inputCount, into: features)
                        network.run(features, into: out + row &* outputCount, scratch: scratch)
                    }
                }
            }
        }
        if total <= Self.stackCount {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.stackCount, work)
        } else {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: total, work)
        }
    }

    /// Predicts one raw row (`inputCount` values) into `output` (`outputCount` values): the
    /// same checks, results and errors as `predict(raw:rowCount:into:)` with one row, in a
    /// straight line for the common case (compiled model, small network).
    public func predictRow(raw row: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>) throws(PredictionError) {
        guard let plan = fast.plan, let network = fast.network, featureCount + networkScratch <= Self.stackCount else {
            return try predict(
                raw: UnsafeBufferPointer(start: row, count: inputCount), rowCount: 1,
                into: UnsafeMutableBufferPointer(start: output, count: outputCount))
        }
        let inputCount = self.inputCount
        if let i = missingAllowed == nil ? Self.firstNonFinite(row, count: inputCount) : (0..<inputCount).first(where: { rejects(row[$0], input: $0) }) {
            throw notFinite(UnsafeBufferPointer(start: row, count: inputCount), at: i)
        }
        let featureCount = self.featureCount
        let unknown = withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.stackCount) { buffer -> Int? in
            let features = buffer.baseAddress!
            // The category check and the features in one call (the features go to the stack).
            let unknown = plan._withUnsafeGuaranteedRef { plan -> Int? in
                if let column = plan.unknownCategory(in: row) { return column }
                plan.features(of: row, into: features)
                return nil
            }
            guard unknown == nil else { return unknown }
            network._withUnsafeGuaranteedRef { $0.run(features, into: output, scratch: features + featureCount) }
            return nil
        }
        if let column = unknown {
            throw unknownCategory(UnsafeBufferPointer(start: row, count: inputCount), row: 0, column: column)
        }
    }

    /// Predicts one already-preprocessed row (`featureCount` values) into `output`: as
    /// `predict(features:rowCount:into:)` with one row.
    public func predictRow(features row: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>) throws(PredictionError) {
        guard let network = fast.network, networkScratch <= Self.stackCount else {
            return try predict(
                features: UnsafeBufferPointer(start: row, count: featureCount), rowCount: 1,
                into: UnsafeMutableBufferPointer(start: output, count: outputCount))
        }
        if let i = Self.firstNonFinite(row, count: featureCount) { throw .notFinite(row: 0, input: model.features[i]) }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.stackCount) { buffer in
            network._withUnsafeGuaranteedRef { $0.run(row, into: output, scratch: buffer.baseAddress!) }
        }
    }

    /// Whether raw input `input` may not hold `value`: infinite, or NaN where it is not imputed.
    @inline(__always)
    private func rejects(_ value: Double, input: Int) -> Bool {
        guard !value.isFinite else { return false }
        guard value.isNaN, let missingAllowed else { return true }
        return !missingAllowed[input]
    }

    /// The index of the first NaN or infinite value of a row, or nil.
    @inline(__always)
    private static func firstNonFinite(_ values: UnsafePointer<Double>, count: Int) -> Int? {
        var i = 0
        while i < count {
            if !values[i].isFinite { return i }
            i &+= 1
        }
        return nil
    }

    /// Stack buffers up to this many values have a fixed size.
    private static let stackCount = 64

    /// The error for the value at `index` of `raw`, NaN or infinite.
    private func notFinite(_ raw: UnsafeBufferPointer<Double>, at index: Int) -> PredictionError {
        .notFinite(row: index / inputCount, input: inputNames[index % inputCount])
    }

    /// The error for an unknown category at `row`, `column` of `raw`.
    private func unknownCategory(_ raw: UnsafeBufferPointer<Double>, row: Int, column: Int) -> PredictionError {
        .unknownCategory(
            row: row, input: inputNames[column], value: raw[row * inputCount + column],
            known: model.categories(ofInput: column).map { "\($0.label)=\(OneHotTransform.label(for: $0.code))" })
    }

    /// Predicts already-preprocessed rows (`featureCount` values each) into `output`.
    /// - Precondition: as for `predict(raw:rowCount:into:)`, with `featureCount` per row.
    public func predict(
        features: UnsafeBufferPointer<Double>, rowCount: Int, into output: UnsafeMutableBufferPointer<Double>
    ) throws(PredictionError) {
        precondition(features.count == rowCount * featureCount && output.count == rowCount * outputCount, "buffer sizes")
        guard rowCount > 0 else { return }
        for index in 0..<features.count where !features[index].isFinite {
            throw .notFinite(row: index / featureCount, input: model.features[index % featureCount])
        }
        let base = features.baseAddress!, out = output.baseAddress!
        if let network = fast.network {
            let featureCount = self.featureCount, outputCount = self.outputCount
            @inline(__always) func work(_ scratch: UnsafeMutableBufferPointer<Double>) {
                network._withUnsafeGuaranteedRef { network in
                    for row in 0..<rowCount {
                        network.run(base + row &* featureCount, into: out + row &* outputCount, scratch: scratch.baseAddress!)
                    }
                }
            }
            if networkScratch <= Self.stackCount {
                withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.stackCount, work)
            } else {
                withUnsafeTemporaryAllocation(of: Double.self, capacity: networkScratch, work)
            }
        } else {
            let result = model.network.predict(Matrix(rows: rowCount, columns: featureCount, values: Array(features)))
            for index in result.values.indices { out[index] = result.values[index] }
        }
    }

    /// The generic path: a `Dataset` through `TrainedModel.predict(raw:)`.
    private func predictGeneric(
        raw: UnsafeBufferPointer<Double>, rowCount: Int, into output: UnsafeMutableBufferPointer<Double>
    ) throws(PredictionError) {
        for column in 0..<inputCount where model.inputs[column].categorical {
            let known = model.categories(ofInput: column)
            guard !known.isEmpty, !model.ignoresUnknown(ofInput: column) else { continue }
            let imputed = missingAllowed?[column] ?? false
            for row in 0..<rowCount where !known.contains(where: { $0.code == raw[row * inputCount + column] })
                && !(imputed && raw[row * inputCount + column].isNaN) {
                throw .unknownCategory(
                    row: row, input: inputNames[column], value: raw[row * inputCount + column],
                    known: known.map { "\($0.label)=\(OneHotTransform.label(for: $0.code))" })
            }
        }
        let result: Matrix
        do {
            result = try model.predict(raw: try model.rawDataset(values: raw, rowCount: rowCount))
        } catch let error as BackpropError {
            throw .failed(error)
        } catch {
            throw .failed(BackpropError(.data, "\(error)"))
        }
        for index in result.values.indices { output[index] = result.values[index] }
    }
}
