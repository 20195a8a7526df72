import ArgumentParser
import Backprop
import BackpropONNX
import FoundationEssentials

extension PipelineCommand {
    /// `pipeline export --onnx OUT --model MODEL`.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a model in another format: ONNX (--onnx), for ONNX Runtime and other runtimes.",
            discussion: """
                The ONNX model (IR version \(ONNXExport.irVersion), opset \(ONNXExport.opsetVersion), \
                \(ONNXExport.elementType) throughout) holds the whole raw-row path: the fitted \
                standardization and min-max, one-hot from the category value, the layers, \
                activations and softmax. It takes one input per model input, named as in the \
                training CSV, of shape [N, 1] (a categorical input holds the value standing for \
                its category: the label's number, or its position for text labels; see `pipeline \
                inspect`), and gives one output named as the target, of shape [N, outputs]. The \
                graph does not check categories: an unknown value encodes as zeros. A model with \
                a plugin step cannot be exported (exit 5).
                """)

        @Option(help: "The ONNX file to write.")
        var onnx: String

        @Option(help: "The model file a pipeline's train stage wrote.")
        var model: String

        func run() throws {
            try reportingErrors {
                // Plugin steps are read, never loaded: they cannot be exported anyway (an error below).
                let trained = try ModelFile.load(URL(fileURLWithPath: model), options: ModelLoadOptions(plugins: .describeOnly))
                let data: Data
                do {
                    data = try ONNXExport.serialized(trained)
                } catch let error as BackpropError {
                    throw BackpropError(error.category, "\(model): \(error.message)")
                }
                try AtomicFile.write(data, to: URL(fileURLWithPath: onnx))
                let inputs = trained.inputs.map(\.name).joined(separator: ", ")
                print("ONNX model written to \(onnx) (IR \(ONNXExport.irVersion), opset \(ONNXExport.opsetVersion), \(ONNXExport.elementType); inputs \(inputs): [N, 1] each; output \(trained.target): [N, \(trained.outputNames.count)])")
            }
        }
    }
}
