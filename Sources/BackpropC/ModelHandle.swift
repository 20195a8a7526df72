import Backprop
import FoundationEssentials
import Glibc

/// What a `bp_model *` points to: the compiled predictor and C copies of every name the
/// describe calls lend out (freed in `deinit`, so they live exactly as long as the handle).
/// Immutable after `init`, so one handle serves any number of threads.
final class ModelHandle: Sendable {
    let predictor: ModelPredictor
    /// `strdup`ed names, owned by the handle.
    nonisolated(unsafe) let inputNames: [UnsafeMutablePointer<CChar>]
    nonisolated(unsafe) let outputNames: [UnsafeMutablePointer<CChar>]
    nonisolated(unsafe) let featureNames: [UnsafeMutablePointer<CChar>]
    /// Per input, its categories: label (owned) and the value standing for it.
    nonisolated(unsafe) let categories: [[(label: UnsafeMutablePointer<CChar>, code: Double)]]

    init(model: TrainedModel) {
        predictor = ModelPredictor(model: model)
        inputNames = model.inputs.map { strdup($0.name) }
        outputNames = model.outputNames.map { strdup($0) }
        featureNames = model.features.map { strdup($0) }
        categories = model.inputs.indices.map { index in
            model.categories(ofInput: index).map { (label: strdup($0.label), code: $0.code) }
        }
    }

    deinit {
        for name in inputNames + outputNames + featureNames { free(name) }
        for list in categories { for category in list { free(category.label) } }
    }

    /// Loads a model from bytes, mapping each refusal to its status.
    static func decode(_ data: Data, source: String, options: ModelLoadOptions) throws(Failure) -> ModelHandle {
        do {
            return ModelHandle(model: try ModelFile.decodeChecked(data, options: options))
        } catch {
            throw Failure(Status(error.problem), "\(source): \(error.message)")
        }
    }

    /// Loads the model file at `path` (a regular file only: never blocks on a FIFO or device).
    static func load(path: String, options: ModelLoadOptions) throws(Failure) -> ModelHandle {
        do {
            return ModelHandle(model: try ModelFile.loadChecked(path: path, options: options))
        } catch {
            throw Failure(Status(error.problem), error.message)
        }
    }
}

extension ModelPredictor {
    /// The predictor as an unmanaged reference, for calls that must not count references (the
    /// handle that owns it outlives the call).
    var unmanaged: Unmanaged<ModelPredictor> { Unmanaged.passUnretained(self) }
}
