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
            return "row \(row + 1), input '\(input)': the value is NaN or infinite"
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

    /// Number of raw values per row.
    public let inputCount: Int
    /// Number of network inputs (features after preprocessing) per row.
    public let featureCount: Int
    /// Number of outputs per row.
    public let outputCount: Int
    /// Whether raw rows take the compiled path (else the generic `Dataset` one).
    public var isCompiled: Bool { plan != nil && network != nil }

    /// `plan` and `network` as unmanaged references, for the hot loops.
    private let fast: (plan: Unmanaged<RawRowPlan>?, network: Unmanaged<CompiledNetwork>?)

    /// Compiles what it can of `model`.
    public init(model: TrainedModel) {
        self.model = model
        self.plan = RawRowPlan(model: model)
        self.network = CompiledNetwork(model.network)
        self.fast = (plan.map { Unmanaged.passUnretained($0) }, network.map { Unmanaged.passUnretained($0) })
        self.inputNames = model.inputs.map(\.name)
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
        for index in 0..<raw.count where !raw[index].isFinite {
            throw .notFinite(row: index / inputCount, input: inputNames[index % inputCount])
        }
        guard let plan = fast.plan, let network = fast.network else {
            return try predictGeneric(raw: raw, rowCount: rowCount, into: output)
        }
        // The fast parts are reached without reference counting: `self` keeps them alive.
        let inputCount = self.inputCount, outputCount = self.outputCount
        let unknown = plan._withUnsafeGuaranteedRef { plan -> (row: Int, column: Int)? in
            for row in 0..<rowCount {
                if let column = plan.unknownCategory(in: base + row * inputCount) { return (row, column) }
            }
            return nil
        }
        if let (row, column) = unknown {
            throw .unknownCategory(
                row: row, input: inputNames[column], value: raw[row * inputCount + column],
                known: model.categories(ofInput: column).map { "\($0.label)=\(OneHotTransform.label(for: $0.code))" })
        }
        let out = output.baseAddress!
        withUnsafeTemporaryAllocation(of: Double.self, capacity: featureCount) { features in
            plan._withUnsafeGuaranteedRef { plan in
                network._withUnsafeGuaranteedRef { network in
                    for row in 0..<rowCount {
                        plan.features(of: base + row * inputCount, into: features.baseAddress!)
                        network.run(features.baseAddress!, into: out + row * outputCount)
                    }
                }
            }
        }
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
            network._withUnsafeGuaranteedRef { network in
                for row in 0..<rowCount { network.run(base + row * featureCount, into: out + row * outputCount) }
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
            guard !known.isEmpty else { continue }
            for row in 0..<rowCount where !known.contains(where: { $0.code == raw[row * inputCount + column] }) {
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
