import ArgumentParser
import Backprop
import FoundationEssentials
import Glibc

extension PipelineCommand {
    /// `pipeline inspect MODEL`.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Describe a model file: inputs, preprocessing, features, layers and how it was trained.")

        @Argument(help: "The model JSON file.")
        var model: String

        func run() throws {
            try reportingErrors {
                // Plugin steps are read, never loaded: describing a model runs no library's code.
                let trained = try ModelFile.load(URL(fileURLWithPath: model), options: ModelLoadOptions(plugins: .describeOnly))
                for line in ModelDescription.lines(trained, file: model) { print(line) }
            }
        }
    }
}

/// The text that `pipeline inspect` prints.
enum ModelDescription {
    static func lines(_ model: TrainedModel, file: String) -> [String] {
        let training = model.training
        var lines = ["Model: \(file) (\(ModelFile.format) version \(ModelFile.version))"]
        var target = "Target: \(model.target)"
        if let encoding = model.targetEncoding {
            let positive = model.network.outputCount == 1 ? encoding.positiveClass.map { "; the output is the probability of \($0)" } ?? "" : ""
            target += " (classes \(encoding.classes.joined(separator: ", "))\(positive))"
        }
        if case .object(let scaling)? = training["target_scaling"], case .number(let mean)? = scaling["mean"], case .number(let sd)? = scaling["std"] {
            target += " (standardized for training: mean \(mean), sd \(sd); predictions in its units)"
        }
        lines.append(target)
        lines.append("Inputs (\(model.inputs.count)): " + model.inputs.map { $0.categorical ? "\($0.name) (categorical)" : $0.name }.joined(separator: ", "))
        lines.append("Preprocessing (\(model.preprocessing.count) steps):")
        for (index, step) in model.preprocessing.enumerated() {
            let state = step.state.keys.sorted().map { "\($0) \(text(step.state[$0]!))" }.joined(separator: ", ")
            lines.append("  \(index + 1). \(type(of: step).kind): \(state)")
        }
        lines.append("Features (\(model.features.count)): " + model.features.joined(separator: ", "))
        lines.append("Layers:")
        var parameters = 0
        for (index, layer) in model.network.layers.enumerated() {
            parameters += layer.weights.values.count + (layer.bias?.count ?? 0)
            lines.append("  \(index + 1). \(layer.inputCount) → \(layer.outputCount)  \(layer.activation.rawValue)  \(layer.bias == nil ? "no bias" : "bias")")
        }
        lines.append("Parameters: \(parameters) weights and biases")
        let order = ["loss", "optimizer", "momentum", "learning_rate", "epochs", "epochs_run", "best_epoch", "batch", "init",
                     "l2", "validation_fraction", "patience", "seed", "training_rows", "validation_rows"]
        let shown = order.compactMap { key in training[key].map { "\(key) \(text($0))" } }
        lines.append("Training: " + shown.joined(separator: ", "))
        if case .array(let losses)? = training["losses"], case .object(let last)? = losses.last,
           let epoch = last["epoch"], let loss = last["loss"] {
            lines.append("Last recorded training loss: \(text(loss)) after epoch \(text(epoch))")
        }
        return lines
    }

    /// A compact rendering of a JSON value on one line.
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .array(let items) where items.count > 8: return "[" + items.prefix(8).map(text).joined(separator: ", ") + ", … (\(items.count))]"
        case .array(let items): return "[" + items.map(text).joined(separator: ", ") + "]"
        case .string(let s): return s
        case .number(let n) where n == n.rounded() && abs(n) < 9e15: return String(Int(n))
        case .object(let o): return "{" + o.keys.sorted().map { "\($0): \(text(o[$0]!))" }.joined(separator: ", ") + "}"
        default: return String(JSONWriter.serialize(value).dropLast())  // without its closing newline
        }
    }
}
