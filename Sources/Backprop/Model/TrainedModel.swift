import BackpropNumerics

/// A raw input column of a model: what a caller passes, before preprocessing.
public struct ModelInput: Equatable, Sendable {
    /// The column name, as in the training CSV.
    public var name: String
    /// Whether the column holds category labels.
    public var categorical: Bool

    /// Creates an input description.
    public init(name: String, categorical: Bool) {
        self.name = name
        self.categorical = categorical
    }
}

/// A trained network with everything needed to predict from raw rows: the raw inputs, the
/// fitted preprocessing, the feature order, and how it was trained.
public struct TrainedModel: Sendable {
    /// The raw input columns, in the order callers pass them.
    public var inputs: [ModelInput]
    /// The fitted preprocessing, applied in order to raw rows.
    public var preprocessing: [any FittedTransform]
    /// The network's input features after preprocessing, in order.
    public var features: [String]
    /// The name of the predicted column.
    public var target: String
    /// The network.
    public var network: Network
    /// The training parameters and results, as saved in the model file.
    public var training: [String: JSONValue]
    /// The classes of a classifier, in output order (nil: the outputs are the prediction).
    public var targetEncoding: TargetEncoding?
    /// How the training CSV was read (delimiter, quote, header), so that `pipeline predict`
    /// reads files like it the same way; nil for models of format 1.
    public var sourceCSV: CSVOptions?
    /// The texts that marked a missing value in the training CSV (besides an empty field); nil
    /// for models of format 1 (then `MissingValueMarkers.standard`).
    public var missingMarkers: MissingValueMarkers?

    /// Creates a model.
    public init(
        inputs: [ModelInput], preprocessing: [any FittedTransform], features: [String],
        target: String, network: Network, training: [String: JSONValue], targetEncoding: TargetEncoding? = nil
    ) {
        self.inputs = inputs
        self.preprocessing = preprocessing
        self.features = features
        self.target = target
        self.network = network
        self.training = training
        self.targetEncoding = targetEncoding
    }

    /// Applies the fitted preprocessing to raw rows and checks that the features come out.
    /// - Throws: `.data` for unknown categories or missing columns.
    public func preprocess(_ raw: Dataset) throws -> Dataset {
        var data = raw
        for transform in preprocessing { data = try transform.apply(to: data) }
        guard data.featureNames == features else {
            throw BackpropError(.data, "preprocessing gave columns [\(data.featureNames.joined(separator: ", "))], the model expects [\(features.joined(separator: ", "))]")
        }
        return data
    }

    /// The network's outputs for raw rows (the preprocessing applied first).
    public func predict(raw: Dataset) throws -> Matrix {
        network.predict(try preprocess(raw).featureMatrix())
    }
}

extension TrainedModel {
    /// The names of the network's outputs: the target's name for one output; for a softmax over
    /// several classes, `target_CLASS` per class label (`species_setosa`, `species_0`, …), else
    /// `target_INDEX`.
    public var outputNames: [String] {
        let count = network.outputCount
        guard count > 1 else { return [target] }
        if let classes = targetEncoding?.classes, classes.count == count { return classes.map { "\(target)_\($0)" } }
        if case .array(let codes)? = training["classes"], codes.count == count {
            let labels = codes.compactMap { code -> String? in
                if case .number(let value) = code { return OneHotTransform.label(for: value) }
                return nil
            }
            if labels.count == count { return labels.map { "\(target)_\($0)" } }
        }
        return (0..<count).map { "\(target)_\($0)" }
    }
}
