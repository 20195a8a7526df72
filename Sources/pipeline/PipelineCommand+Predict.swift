import ArgumentParser
import Backprop
import FoundationEssentials

extension PipelineCommand {
    /// `pipeline predict --model M --input rows.csv`: one prediction per row, through the
    /// generic `TrainedModel.predict(raw:)` path (the reference the C ABI is checked against).
    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Predict every row of a CSV file with a trained model.",
            discussion: """
                The CSV needs a header naming the model's input columns (other columns are \
                ignored); categorical columns hold the labels as in the training data. Prints \
                one line per row: the model's outputs, comma-separated, with full precision.
                """)

        @Option(help: "The model file a pipeline's train stage wrote.")
        var model: String

        @Option(help: "The CSV file of raw rows.")
        var input: String

        @Flag(help: "Allow the model's plugin steps: load their libraries (running their code) by file name from BACKPROP_PLUGIN_PATH.")
        var allowPlugins = false

        func run() throws {
            try reportingErrors {
                let options = ModelLoadOptions(plugins: allowPlugins ? .load(.environment) : .refuse)
                let model = try ModelFile.load(URL(fileURLWithPath: self.model), options: options)
                let table = try CSVReader.read(URL(fileURLWithPath: input))
                let outputs = try model.predict(raw: model.rawDataset(table: table, source: input))
                for row in 0..<outputs.rows {
                    print((0..<outputs.columns).map { cFormat("%.17g", outputs[row, $0]) }.joined(separator: ","))
                }
            }
        }
    }
}
