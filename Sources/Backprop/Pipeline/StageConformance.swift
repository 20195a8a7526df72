import FoundationEssentials

/// The one check every preprocessing stage passes, built-in and plugin alike (in the spirit of
/// scikit-learn's `check_estimator`). Run it in your plugin's tests.
///
/// It fits `stage` on the training rows and requires that:
/// 1. fitting twice and transforming gives identical output (determinism);
/// 2. every fitted transform's state, written as model JSON and read back through `registry`,
///    transforms to identical output (the model reproduces training);
/// 3. the feature columns that come out are those each transform declares
///    (`outputColumns(from:)`), with the rows, row ids and target unchanged;
/// 4. transforming a subset of the rows gives that subset of the full output (any rows, alone).
public enum StageConformance {
    /// Checks `stage` on `data`.
    /// - Parameters:
    ///   - stage: the configured stage.
    ///   - data: rows to fit on and transform; use at least two rows.
    ///   - trainingRows: the rows to fit on (all rows when nil).
    ///   - registry: where the transforms' kinds are looked up to restore them.
    /// - Throws: `BackpropError` (`.pipeline`) naming the stage and the property that fails, or
    ///   the stage's own error when it cannot fit or transform `data`.
    public static func check(
        _ stage: any TransformStage, on data: Dataset, trainingRows: [Int]? = nil, registry: StageRegistry = .standard
    ) throws {
        let name = type(of: stage).kind
        func fail(_ message: String) -> BackpropError {
            BackpropError(.pipeline, "conformance of stage '\(name)': \(message)")
        }
        let rows = trainingRows ?? Array(0..<data.rowCount)
        let first = try stage.fit(data, rows: rows)
        let second = try stage.fit(data, rows: rows)
        let output = try applyAll(first, to: data)
        guard try applyAll(second, to: data) == output else {
            throw fail("fitting twice on the same rows gives different output")
        }

        var declared = data.featureNames
        for transform in first { declared = transform.outputColumns(from: declared) }
        guard output.featureNames == declared else {
            throw fail("columns [\(output.featureNames.joined(separator: ", "))] came out, [\(declared.joined(separator: ", "))] were declared")
        }
        guard output.rowIDs == data.rowIDs, output.target == data.target else {
            throw fail("the rows, their ids or the target changed")
        }

        let restored = try first.map { transform -> any FittedTransform in
            let kind = type(of: transform).kind
            let saved = JSONWriter.serialize(.object(transform.state.merging(["kind": .string(kind)]) { _, k in k }))
            guard case .object(let state)? = try? JSONParser.parse(Array(saved.utf8)) else {
                throw fail("transform '\(kind)' saves state that is not a JSON object")
            }
            guard let type = registry.transform(kind: kind) else {
                throw fail("transform kind '\(kind)' is not registered, so a model could not restore it")
            }
            return try type.init(state: state)
        }
        guard try applyAll(restored, to: data) == output else {
            throw fail("the state restored from the model gives different output")
        }

        let subset = Array(stride(from: data.rowCount - 1, through: 0, by: -2))
        guard try applyAll(first, to: data.subset(subset)) == output.subset(subset) else {
            throw fail("transforming a subset of the rows differs from the same rows transformed with all")
        }
    }

    private static func applyAll(_ transforms: [any FittedTransform], to data: Dataset) throws -> Dataset {
        try transforms.reduce(data) { try $1.apply(to: $0) }
    }
}
