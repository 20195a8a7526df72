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
    static func decode(_ data: Data, source: String) throws(Failure) -> ModelHandle {
        do {
            return ModelHandle(model: try ModelFile.decode(data))
        } catch let error as BackpropError {
            let status: Status
            switch ModelFile.problem(with: data) {
            case .truncated: status = .truncated
            case .wrongVersion: status = .version
            case .corrupt: status = .corrupt
            }
            throw Failure(status, "\(source): \(error.message)")
        } catch {
            throw Failure(.corrupt, "\(source): \(error)")
        }
    }

    /// Loads the model file at `path`.
    static func load(path: String) throws(Failure) -> ModelHandle {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            guard code == ENOENT || code == ENOTDIR else {
                throw Failure(.io, "\(path): cannot read the model file (\(String(cString: strerror(code))))")
            }
            throw Failure(.notFound, "\(path): no such model file")
        }
        let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        guard !isDirectory, let data = FileManager.default.contents(atPath: path) else {
            throw Failure(.io, "\(path): cannot read the model file (\(isDirectory ? "a directory" : "permission denied or I/O error"))")
        }
        return try decode(data, source: path)
    }
}

extension ModelPredictor {
    /// The predictor as an unmanaged reference, for calls that must not count references (the
    /// handle that owns it outlives the call).
    var unmanaged: Unmanaged<ModelPredictor> { Unmanaged.passUnretained(self) }
}
