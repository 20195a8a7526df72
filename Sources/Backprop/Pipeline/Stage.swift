/// One step of a pipeline: configured from its JSON parameters, then run on the shared context.
///
/// The contract: `init(parameters:)` reads and checks every parameter (and nothing else: no I/O,
/// no data), so that a whole pipeline is validated before any stage runs; `run` does the work.
/// Register a stage with `StageRegistry.register(_:)` to make its kind usable in pipeline files.
/// docs/stages.md describes the contract with a worked example; preprocessing stages should pass
/// `StageConformance.check`.
public protocol PipelineStage {
    /// The kind name used in pipeline files (`"stage": "normalize"`).
    static var kind: String { get }
    /// One line on what the stage does, for `pipeline --help` and `pipeline stages`.
    static var summary: String { get }
    /// The parameters the stage takes, with their defaults, for help output.
    static var parameterHelp: [ParameterHelp] { get }
    /// Whether the stage gives the single-process result when the rows are shared out over the
    /// processes of an `mpirun` job (it combines what it computes from its own rows with the other
    /// processes'). A pipeline's rows are shared out only when all its stages do; otherwise every
    /// process reads every row. Default: false.
    static var combinesAcrossProcesses: Bool { get }

    /// Reads and validates the stage's parameters.
    /// - Throws: `BackpropError` (`.pipeline`) naming the stage and field at fault.
    init(parameters: inout StageParameters) throws

    /// Runs the stage.
    /// - Throws: `BackpropError` naming what is at fault.
    func run(_ context: inout PipelineContext) throws
}

extension PipelineStage {
    /// False: a stage is taken to see all rows unless it says otherwise.
    public static var combinesAcrossProcesses: Bool { false }
}

/// One parameter of a stage, as shown by help output.
public struct ParameterHelp: Sendable {
    /// The field name.
    public var name: String
    /// What the field holds, and its default when it has one.
    public var description: String

    /// Creates a help entry.
    public init(_ name: String, _ description: String) {
        self.name = name
        self.description = description
    }
}

/// A preprocessing stage: fits on the training rows (all rows before a split), then transforms
/// every row. The fitted transforms are stored in the model, so prediction applies them too.
public protocol TransformStage: PipelineStage {
    /// Learns the transform from `rows` (positions in `data`).
    /// - Returns: the fitted transforms, applied in order.
    func fit(_ data: Dataset, rows: [Int]) throws -> [any FittedTransform]

    /// Learns the transform from `rows` of this process and of every other process of `group`
    /// (the same result on every process). The default fits on this process's rows alone: right
    /// for a stage that does not combine across processes, since its pipeline's rows are then
    /// never shared out (`group` is this process alone).
    func fit(_ data: Dataset, rows: [Int], group: any ProcessGroup) throws -> [any FittedTransform]
}

extension TransformStage {
    /// Fits on this process's rows.
    public func fit(_ data: Dataset, rows: [Int], group: any ProcessGroup) throws -> [any FittedTransform] {
        try fit(data, rows: rows)
    }

    /// Fits on the training rows (or all rows before a split), applies the result to all rows,
    /// and records the fitted transforms for the model.
    public func run(_ context: inout PipelineContext) throws {
        var data = try context.requireData()
        let rows = context.split?.train ?? Array(0..<data.rowCount)
        let fitted = try fit(data, rows: rows, group: context.rowGroup)
        // The context lets go of the data, so that each column is changed where it lies.
        context.data = nil
        for transform in fitted { try transform.apply(inPlace: &data) }
        context.data = data
        context.preprocessing.append(contentsOf: fitted)
    }
}

extension FittedTransform {
    /// The same columns, in the same order: what a transform that rescales values gives.
    public func outputColumns(from input: [String]) -> [String] { input }

    /// `apply(to:)`, its result replacing `data`.
    public func apply(inPlace data: inout Dataset) throws { data = try apply(to: data) }
}

/// The state a preprocessing stage learned, able to transform any rows and to be saved in, and
/// restored from, a model file.
public protocol FittedTransform: Sendable {
    /// The name under which the transform is saved (`"standardize"`, `"one_hot"`, …).
    static var kind: String { get }

    /// Transforms every row of `data`.
    /// - Throws: `BackpropError` (`.data`) for rows the transform cannot take (an unknown category).
    func apply(to data: Dataset) throws -> Dataset

    /// Transforms every row of `data` where it lies, when the transform can (a rescaling changes
    /// its column's values in place; the default calls `apply(to:)`): the same values as
    /// `apply(to:)`, without a second copy of a column.
    func apply(inPlace data: inout Dataset) throws

    /// The feature columns that `apply` gives for data with feature columns `input`; the
    /// conformance check holds `apply` to it. The default: the same columns (a rescaling).
    func outputColumns(from input: [String]) -> [String]

    /// The fitted parameters, as a JSON object (saved in the model beside `kind`).
    var state: [String: JSONValue] { get }

    /// Restores a transform from its saved parameters.
    /// - Throws: `BackpropError` (`.model`) when the state is malformed.
    init(state: [String: JSONValue]) throws
}
