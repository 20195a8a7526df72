import ArgumentParser
import Backprop
import FoundationEssentials

extension PipelineCommand {
    /// `pipeline seal MODEL`: re-seals a model file edited on purpose.
    struct Seal: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seal",
            abstract: "Re-seal a model file you edited on purpose: check it whole, then write a fresh checksum.",
            discussion: """
                A model file carries a CRC-32 checksum of its content, so that accidental edits and \
                flipped bits are refused at load (exit 5). After editing a model on purpose, run \
                this: it checks everything but the checksum (plugin steps are read, not loaded) \
                and rewrites the file atomically with the checksum of its new content.
                """)

        @Argument(help: "The model JSON file.")
        var model: String

        func run() throws {
            try reportingErrors {
                let url = URL(fileURLWithPath: model)
                let data: Data
                do {
                    data = try InputFile.read(url.path, limit: Limits.modelFileBytes)
                } catch {
                    throw BackpropError(.model, "\(model): cannot read the model file: \(error)")
                }
                let sealed: Data
                do throws(ModelLoadFailure) {
                    sealed = try ModelFile.reseal(data)
                } catch {
                    throw BackpropError(.model, "\(model): \(error.message)")
                }
                try AtomicFile.write(sealed, to: url)
                print("\(model): sealed")
            }
        }
    }
}
