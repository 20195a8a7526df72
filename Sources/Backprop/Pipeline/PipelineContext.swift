import BackpropNumerics
import FoundationEssentials

/// The train/test partition of a dataset, as row positions.
public struct DataSplit: Equatable, Sendable {
    /// Positions of the training rows, in training order (read from `trainRows`: a copy when
    /// that list is narrow, a split of data from a cache).
    public var train: [Int] {
        get { trainRows.array }
        set { trainRows = RowList(newValue) }
    }
    /// Positions of the test rows (read from `testRows`, as `train`).
    public var test: [Int] {
        get { testRows.array }
        set { testRows = RowList(newValue) }
    }
    /// Positions of the training rows, in training order, as stored: 4 bytes each for a split
    /// of data from a cache (the stages that run on a cache read this list, not `train`).
    public var trainRows: RowList
    /// Positions of the test rows, as stored.
    public var testRows: RowList
    /// In a run over several processes: where these rows sit in the split of all processes'
    /// rows (nil for a process alone).
    public var global: GlobalSplitPositions?

    /// Creates a split.
    public init(train: [Int], test: [Int], global: GlobalSplitPositions? = nil) {
        self.init(trainRows: RowList(train), testRows: RowList(test), global: global)
    }

    /// Creates a split from row lists (4 bytes per row each when they are narrow).
    public init(trainRows: RowList, testRows: RowList, global: GlobalSplitPositions? = nil) {
        self.trainRows = trainRows
        self.testRows = testRows
        self.global = global
    }
}

/// A file a stage asked to write; the runner writes them all, atomically, only after every stage
/// has succeeded, so a failed run leaves no model or report behind.
public struct PendingOutput: Sendable {
    /// What the file is ("model", "report", …), for the run's summary lines.
    public var label: String
    /// Where it goes.
    public var url: URL
    /// Its full content.
    public var data: Data

    /// Creates a pending output.
    public init(label: String, url: URL, data: Data) {
        self.label = label
        self.url = url
        self.data = data
    }
}

/// What the stages of one run share: the data as it is transformed, the split, the fitted
/// preprocessing, the trained model, the metrics, and the files to write.
public struct PipelineContext {
    /// The current stage's position (0-based) and kind, for messages.
    public internal(set) var stageIndex = 0
    /// The current stage's kind.
    public internal(set) var stageKind = ""
    /// The data, after the stages so far.
    public var data: Dataset?
    /// How the ingested CSV file was read (delimiter, quote, header), for the model.
    public var sourceCSV: CSVOptions?
    /// The texts that marked a missing value in the ingested file (besides an empty field).
    public var missingMarkers: MissingValueMarkers?
    /// The raw input columns as ingested (names and whether categorical), excluding the target.
    public var rawInputs: [ModelInput] = []
    /// The train/test partition, once a split stage has run.
    public var split: DataSplit?
    /// The fitted preprocessing so far, in order.
    public var preprocessing: [any FittedTransform] = []
    /// The trained model, once a train stage has run.
    public var model: TrainedModel?
    /// The recorded training losses.
    public var trainingLosses: [EpochLoss] = []
    /// The metrics of the last evaluate stage.
    public var evaluation: Evaluation?
    /// The full record of the last training run: losses, validation losses, gradient norms.
    public var trainingHistory: TrainingHistory?
    /// The metrics of the last evaluate stage when the model predicts several classes.
    public var multiclassEvaluation: MulticlassEvaluation?
    /// The metrics of the last evaluate stage when the target is a quantity, not a class.
    public var regressionEvaluation: RegressionEvaluation?
    /// The pipeline's name (its file name without extension), for titles.
    public var pipelineName = ""
    /// Receives training progress after every epoch, when set (the CLI's progress bar).
    public var progress: (@Sendable (TrainingProgress) -> Void)?
    /// Receives ingest progress (bytes read, file size) from any thread, when set (the CLI's progress bar).
    public var ingestProgress: (@Sendable (_ bytesRead: Int, _ totalBytes: Int) -> Void)?
    /// How long each stage so far took, and the peak memory after it.
    public var stageTimings: [StageTiming] = []
    /// Files to write when the run succeeds.
    public var outputs: [PendingOutput] = []
    /// The cross-validation of the stages after a split with `folds`, once it has run.
    public var crossValidation: CrossValidationSummary?
    /// The processes running this pipeline together: this process alone, or every rank of an
    /// `mpirun` job. Stages that fit statistics, split rows, train or evaluate combine their local
    /// results through it; only the leader (rank 0) writes outputs.
    public var group: any ProcessGroup = SingleProcess.shared
    /// The cache file the data's feature columns are read from, a block of rows at a time,
    /// when the ingest stage has one (`data` then holds the target and row ids only).
    var columnCache: ColumnCache?
    /// Whether the ingest stage gives each process of `group` its own share of the rows (when
    /// every stage of the pipeline combines its results across processes), rather than every row
    /// to every process.
    public var sharesRows = false
    /// The group whose rows statistics are fitted on: `group` when the rows are shared out, else
    /// this process alone (it holds every row).
    public var rowGroup: any ProcessGroup { sharesRows ? group : SingleProcess.shared }
    /// Where stages print progress lines.
    public internal(set) var log: @Sendable (String) -> Void

    /// Creates an empty context.
    public init(log: @escaping @Sendable (String) -> Void) {
        self.log = log
    }

    /// An error naming the current stage.
    public func error(_ category: BackpropError.Category, _ message: String) -> BackpropError {
        BackpropError(category, "stage \(stageIndex + 1) (\(stageKind)): \(message)")
    }

    /// The data, or an error saying that an ingest stage must come first.
    public func requireData() throws -> Dataset {
        guard let data else { throw error(.pipeline, "no data yet; put an ingest stage before it") }
        return data
    }
}
