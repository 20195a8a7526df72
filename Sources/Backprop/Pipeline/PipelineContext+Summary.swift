extension PipelineContext {
    /// The JSON document of a finished run, as `pipeline run --json` prints it and
    /// `bp_pipeline_run_json` hands it over: the training records, the test metrics, the
    /// cross-validation (when the split has folds) and the outputs written.
    /// - Parameter pipeline: the pipeline file, as the caller named it.
    /// - Returns: the serialized document, ending in a newline.
    public func runSummaryJSON(pipeline: String) -> String {
        var document: [String: JSONValue] = [
            "format": .string("backprop-run"), "version": .number(1), "pipeline": .string(pipeline),
            "outputs": .array(outputs.map { .object(["label": .string($0.label), "path": .string($0.url.path)]) }),
        ]
        if let history = trainingHistory { document["training"] = history.json }
        if let evaluation { document["test"] = evaluation.json }
        if let multiclassEvaluation { document["test"] = multiclassEvaluation.json }
        if let regressionEvaluation { document["test"] = regressionEvaluation.json }
        if let crossValidation { document["cross_validation"] = crossValidation.json }
        return JSONWriter.serialize(.object(document))
    }
}
