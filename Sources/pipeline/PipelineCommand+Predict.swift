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
                The CSV is read with the training file's delimiter, quote and header setting \
                (saved in the model), and needs the model's input columns, found by name (other \
                columns are ignored); categorical columns hold the labels as in the training data. \
                Prints CSV: a header, then per row the --id column when asked, the predicted label \
                and one probability per class for a classifier (the predicted value for a \
                quantity), with full precision. --format values prints only the model's outputs.
                """)

        @Option(help: "The model file a pipeline's train stage wrote.")
        var model: String

        @Option(help: "The CSV file of raw rows.")
        var input: String

        @Option(name: .customLong("id"), help: "A column of the input to copy to the output's first column (a row id).")
        var idColumn: String?

        @Option(help: "A row with a missing model input (empty, NA): error (default) or skip (left out, counted on standard error).")
        var missing: MissingRows = .error

        @Option(help: "table (default: header, id, label, probabilities) or values (only the outputs, no header).")
        var format: OutputFormat = .table

        enum MissingRows: String, ExpressibleByArgument { case error, skip }
        enum OutputFormat: String, ExpressibleByArgument { case table, values }

        @Flag(help: "Allow the model's plugin steps: load their libraries (running their code) by file name from BACKPROP_PLUGIN_PATH.")
        var allowPlugins = false

        func run() throws {
            try reportingErrors {
                let options = ModelLoadOptions(plugins: allowPlugins ? .load(.environment) : .refuse)
                let model = try ModelFile.load(URL(fileURLWithPath: self.model), options: options)
                var table = try CSVReader.read(URL(fileURLWithPath: input), options: model.sourceCSV ?? CSVOptions())
                var ids: [String]?
                if let idColumn {
                    guard let index = table.header.firstIndex(of: idColumn) else {
                        throw BackpropError(.data, "\(input): no column '\(idColumn)' (from --id); the header has \(table.header.joined(separator: ", "))")
                    }
                    ids = table.rows.map { $0[index] ?? "" }
                }
                if missing == .skip {
                    let (complete, kept) = model.withoutMissingInputs(table)
                    if kept.count < table.rows.count {
                        let skipped = table.rows.count - kept.count
                        writeStandardError("pipeline predict: skipped \(skipped) row\(skipped == 1 ? "" : "s") with a missing input\n")
                    }
                    ids = ids.map { ids in kept.map { ids[$0] } }
                    table = complete
                }
                let outputs = try model.predict(raw: model.rawDataset(table: table, source: input))
                if format == .table { print(CSVText.line((idColumn.map { [$0] } ?? []) + model.predictionHeader)) }
                for row in 0..<outputs.rows {
                    let values = (0..<outputs.columns).map { outputs[row, $0] }
                    if format == .values {
                        print(values.map { cFormat("%.17g", $0) }.joined(separator: ","))
                    } else {
                        print(CSVText.line((ids.map { [$0[row]] } ?? []) + model.predictionFields(values)))
                    }
                }
            }
        }
    }
}
