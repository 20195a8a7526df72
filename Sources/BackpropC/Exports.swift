// The exported C functions of include/backprop.h: the only place where C pointers are taken.
// Every pointer and size is checked here before it is touched, so that nothing below can trap,
// and every error becomes a status with a per-thread message (see Status.swift).
import Backprop
import FoundationEssentials

/// The library version (keep in step with BP_VERSION_* in include/backprop.h).
enum LibraryVersion {
    static let major: Int32 = 1, minor: Int32 = 1, patch: Int32 = 0
    static let text: StaticString = "1.1.0"
}

/// The handle behind `model`, or a BP_ERR_NULL failure naming `function`.
@inline(__always)
private func handle(_ model: OpaquePointer?, _ function: StaticString) throws(Failure) -> ModelHandle {
    guard let model else { throw Failure(.null, "\(function): model is NULL") }
    return Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(model)).takeUnretainedValue()
}

/// `pointer`, or a BP_ERR_NULL failure naming the parameter.
@inline(__always)
private func required<T>(_ pointer: T?, _ function: StaticString, _ name: StaticString) throws(Failure) -> T {
    guard let pointer else { throw Failure(.null, "\(function): \(name) is NULL") }
    return pointer
}

/// `index` as an Int below `count`, or a BP_ERR_INDEX failure.
private func checkedIndex(_ index: UInt, count: Int, _ function: StaticString, _ what: String) throws(Failure) -> Int {
    guard let i = Int(exactly: index), i < count else {
        throw Failure(.index, "\(function): \(what) index \(index) is out of range (the model has \(count))")
    }
    return i
}

/// Writes a new handle into `out` and hands its ownership to the caller.
private func publish(_ model: ModelHandle, to out: UnsafeMutablePointer<OpaquePointer?>) {
    out.pointee = OpaquePointer(Unmanaged.passRetained(model).toOpaque())
}

// MARK: - Versions and errors

/// `bp_version`: MAJOR * 10000 + MINOR * 100 + PATCH.
@_cdecl("bp_version")
public func bp_version() -> Int32 {
    LibraryVersion.major * 10000 + LibraryVersion.minor * 100 + LibraryVersion.patch
}

/// `bp_version_string`: the version as static text.
@_cdecl("bp_version_string")
public func bp_version_string() -> UnsafePointer<CChar> { LibraryVersion.text.cString }

/// `bp_model_format_version`: the model file format version read.
@_cdecl("bp_model_format_version")
public func bp_model_format_version() -> Int32 { Int32(ModelFile.version) }

/// `bp_status_name`: a status's name, static.
@_cdecl("bp_status_name")
public func bp_status_name(_ status: Int32) -> UnsafePointer<CChar> {
    let unknown: StaticString = "BP_UNKNOWN_STATUS"
    return (Status(rawValue: status)?.name ?? unknown).cString
}

/// `bp_last_error`: this thread's last failure message, or "".
@_cdecl("bp_last_error")
public func bp_last_error() -> UnsafePointer<CChar> {
    let empty: StaticString = ""
    return lastErrorMessage() ?? empty.cString
}

// MARK: - Loading

/// `bp_model_load`: loads a model file (plugins refused); the caller owns the new handle.
@_cdecl("bp_model_load")
public func bp_model_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    bp_model_load_ex(path, nil, out)
}

/// `bp_model_load_buffer`: loads a model from bytes borrowed for the call (plugins refused).
@_cdecl("bp_model_load_buffer")
public func bp_model_load_buffer(_ data: UnsafeRawPointer?, _ size: UInt, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    bp_model_load_buffer_ex(data, size, nil, out)
}

/// `bp_model_load_ex`: `bp_model_load` with options (NULL: the defaults).
@_cdecl("bp_model_load_ex")
public func bp_model_load_ex(
    _ path: UnsafePointer<CChar>?, _ options: UnsafeRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    guarded { () throws(Failure) in
        let function: StaticString = "bp_model_load_ex"
        let path = try required(path, function, "path")
        let out = try required(out, function, "out_model")
        let loadOptions = try LoadOptions.read(options, function)
        publish(try ModelHandle.load(path: String(cString: path), options: loadOptions), to: out)
    }
}

/// `bp_model_load_buffer_ex`: `bp_model_load_buffer` with options (NULL: the defaults).
@_cdecl("bp_model_load_buffer_ex")
public func bp_model_load_buffer_ex(
    _ data: UnsafeRawPointer?, _ size: UInt, _ options: UnsafeRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    guarded { () throws(Failure) in
        let function: StaticString = "bp_model_load_buffer_ex"
        let data = try required(data, function, "data")
        let out = try required(out, function, "out_model")
        let loadOptions = try LoadOptions.read(options, function)
        guard let count = Int(exactly: size), count <= Limits.modelFileBytes else {
            throw Failure(.size, "\(function): size \(size) is more than the limit of \(Limits.modelFileBytes) bytes (docs/limits.md)")
        }
        let bytes = Data(bytes: data, count: count)
        publish(try ModelHandle.decode(bytes, source: "model buffer", options: loadOptions), to: out)
    }
}

/// `bp_model_free`: releases the caller's handle; NULL does nothing.
@_cdecl("bp_model_free")
public func bp_model_free(_ model: OpaquePointer?) {
    guard let model else { return }
    Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(model)).release()
}

// MARK: - Describing

/// Writes `value` of the model behind `model` into `out`.
private func describe<T>(
    _ function: StaticString, _ model: OpaquePointer?, _ out: UnsafeMutablePointer<T>?,
    _ value: (ModelHandle) throws(Failure) -> T
) -> Int32 {
    guarded { () throws(Failure) in
        let h = try handle(model, function)
        let out = try required(out, function, "out parameter")
        out.pointee = try value(h)
    }
}

/// `bp_model_input_count`.
@_cdecl("bp_model_input_count")
public func bp_model_input_count(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<UInt>?) -> Int32 {
    describe("bp_model_input_count", model, out) { UInt($0.predictor.inputCount) }
}

/// `bp_model_output_count`.
@_cdecl("bp_model_output_count")
public func bp_model_output_count(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<UInt>?) -> Int32 {
    describe("bp_model_output_count", model, out) { UInt($0.predictor.outputCount) }
}

/// `bp_model_feature_count`.
@_cdecl("bp_model_feature_count")
public func bp_model_feature_count(_ model: OpaquePointer?, _ out: UnsafeMutablePointer<UInt>?) -> Int32 {
    describe("bp_model_feature_count", model, out) { UInt($0.predictor.featureCount) }
}

/// `bp_model_input_name`: borrowed until the model is freed.
@_cdecl("bp_model_input_name")
public func bp_model_input_name(_ model: OpaquePointer?, _ index: UInt, _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    describe("bp_model_input_name", model, out) { h throws(Failure) in
        UnsafePointer(h.inputNames[try checkedIndex(index, count: h.inputNames.count, "bp_model_input_name", "input")])
    }
}

/// `bp_model_input_is_categorical`.
@_cdecl("bp_model_input_is_categorical")
public func bp_model_input_is_categorical(_ model: OpaquePointer?, _ index: UInt, _ out: UnsafeMutablePointer<Int32>?) -> Int32 {
    describe("bp_model_input_is_categorical", model, out) { h throws(Failure) in
        let i = try checkedIndex(index, count: h.inputNames.count, "bp_model_input_is_categorical", "input")
        return h.predictor.model.inputs[i].categorical ? 1 : 0
    }
}

/// `bp_model_input_category_count`.
@_cdecl("bp_model_input_category_count")
public func bp_model_input_category_count(_ model: OpaquePointer?, _ index: UInt, _ out: UnsafeMutablePointer<UInt>?) -> Int32 {
    describe("bp_model_input_category_count", model, out) { h throws(Failure) in
        UInt(h.categories[try checkedIndex(index, count: h.categories.count, "bp_model_input_category_count", "input")].count)
    }
}

/// `bp_model_input_category`: a category's label (borrowed until the model is freed) and value.
@_cdecl("bp_model_input_category")
public func bp_model_input_category(
    _ model: OpaquePointer?, _ input: UInt, _ category: UInt,
    _ outLabel: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ outValue: UnsafeMutablePointer<Double>?
) -> Int32 {
    guarded { () throws(Failure) in
        let function: StaticString = "bp_model_input_category"
        let h = try handle(model, function)
        let outLabel = try required(outLabel, function, "out_label")
        let outValue = try required(outValue, function, "out_value")
        let list = h.categories[try checkedIndex(input, count: h.categories.count, function, "input")]
        let entry = list[try checkedIndex(category, count: list.count, function, "category")]
        outLabel.pointee = UnsafePointer(entry.label)
        outValue.pointee = entry.code
    }
}

/// `bp_model_output_name`: borrowed until the model is freed.
@_cdecl("bp_model_output_name")
public func bp_model_output_name(_ model: OpaquePointer?, _ index: UInt, _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    describe("bp_model_output_name", model, out) { h throws(Failure) in
        UnsafePointer(h.outputNames[try checkedIndex(index, count: h.outputNames.count, "bp_model_output_name", "output")])
    }
}

/// `bp_model_feature_name`: borrowed until the model is freed.
@_cdecl("bp_model_feature_name")
public func bp_model_feature_name(_ model: OpaquePointer?, _ index: UInt, _ out: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    describe("bp_model_feature_name", model, out) { h throws(Failure) in
        UnsafePointer(h.featureNames[try checkedIndex(index, count: h.featureNames.count, "bp_model_feature_name", "feature")])
    }
}

// MARK: - Predicting

/// Checks the arguments of a predict call and runs it. `values` and `capacity` are nil for the
/// unsized calls, where the row count is given and the buffers are trusted to fit it.
@inline(__always)
private func predict(
    _ function: StaticString, features: Bool, _ model: OpaquePointer?, _ rows: UnsafePointer<Double>?,
    rowCount: UInt?, values: UInt?, _ out: UnsafeMutablePointer<Double>?, capacity: UInt?
) -> Int32 {
    guard let model else { return report(Failure(.null, "\(function): model is NULL")) }
    // The caller's handle keeps the model alive during the call: no reference counting here.
    return Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer(model))._withUnsafeGuaranteedRef { h in
        h.predictor.unmanaged._withUnsafeGuaranteedRef { predictor in
            predictChecked(function, features: features, predictor, rows, rowCount: rowCount, values: values, out, capacity: capacity)
        }
    }
}

/// `predict` once the model is known.
@inline(__always)
private func predictChecked(
    _ function: StaticString, features: Bool, _ predictor: ModelPredictor, _ rows: UnsafePointer<Double>?,
    rowCount: UInt?, values: UInt?, _ out: UnsafeMutablePointer<Double>?, capacity: UInt?
) -> Int32 {
    guarded { () throws(Failure) in
        let rows = try required(rows, function, "rows")
        let out = try required(out, function, "out")
        let width = features ? predictor.featureCount : predictor.inputCount
        let n: Int
        if let rowCount {
            guard rowCount > 0, let count = Int(exactly: rowCount),
                  !count.multipliedReportingOverflow(by: max(width, predictor.outputCount)).overflow else {
                throw Failure(.size, "\(function): n_rows is \(rowCount); pass at least one row")
            }
            n = count
        } else {
            let values = values ?? 0
            guard values > 0, values % UInt(width) == 0 else {
                throw Failure(.size, "\(function): n_values is \(values); expected a non-zero multiple of the \(width) values per row")
            }
            guard let total = Int(exactly: values) else {
                throw Failure(.size, "\(function): n_values is \(values); that is more values than memory can hold")
            }
            n = total / width
            let (needed, overflow) = n.multipliedReportingOverflow(by: predictor.outputCount)
            guard !overflow, let capacity, capacity >= UInt(needed) else {
                throw Failure(.size, "\(function): out_capacity is \(capacity ?? 0); \(n) rows need \(overflow ? "more than that" : "\(needed)") values")
            }
        }
        if n == 1 {
            // One row: the straight-line path (same checks, results and errors).
            do throws(PredictionError) {
                if features {
                    try predictor.predictRow(features: rows, into: out)
                } else {
                    try predictor.predictRow(raw: rows, into: out)
                }
            } catch {
                throw failure(function, error)
            }
            return
        }
        let input = UnsafeBufferPointer(start: rows, count: n * width)
        let output = UnsafeMutableBufferPointer(start: out, count: n * predictor.outputCount)
        do throws(PredictionError) {
            if features {
                try predictor.predict(features: input, rowCount: n, into: output)
            } else {
                try predictor.predict(raw: input, rowCount: n, into: output)
            }
        } catch {
            throw failure(function, error)
        }
    }
}

/// The C failure for a prediction error in `function`.
private func failure(_ function: StaticString, _ error: PredictionError) -> Failure {
    let status: Status
    switch error {
    case .notFinite: status = .nan
    case .unknownCategory: status = .unknownCategory
    case .failed(let underlying): status = Status(underlying.category)
    }
    return Failure(status, "\(function): \(error.message)")
}

/// `bp_model_predict_raw`.
@_cdecl("bp_model_predict_raw")
public func bp_model_predict_raw(_ model: OpaquePointer?, _ rows: UnsafePointer<Double>?, _ nRows: UInt, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    predict("bp_model_predict_raw", features: false, model, rows, rowCount: nRows, values: nil, out, capacity: nil)
}

/// `bp_model_predict_raw_sized`.
@_cdecl("bp_model_predict_raw_sized")
public func bp_model_predict_raw_sized(
    _ model: OpaquePointer?, _ rows: UnsafePointer<Double>?, _ nValues: UInt, _ out: UnsafeMutablePointer<Double>?, _ capacity: UInt
) -> Int32 {
    predict("bp_model_predict_raw_sized", features: false, model, rows, rowCount: nil, values: nValues, out, capacity: capacity)
}

/// `bp_model_predict_features`.
@_cdecl("bp_model_predict_features")
public func bp_model_predict_features(_ model: OpaquePointer?, _ rows: UnsafePointer<Double>?, _ nRows: UInt, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    predict("bp_model_predict_features", features: true, model, rows, rowCount: nRows, values: nil, out, capacity: nil)
}

/// `bp_model_predict_features_sized`.
@_cdecl("bp_model_predict_features_sized")
public func bp_model_predict_features_sized(
    _ model: OpaquePointer?, _ rows: UnsafePointer<Double>?, _ nValues: UInt, _ out: UnsafeMutablePointer<Double>?, _ capacity: UInt
) -> Int32 {
    predict("bp_model_predict_features_sized", features: true, model, rows, rowCount: nil, values: nValues, out, capacity: capacity)
}

// MARK: - Training

/// The C log callback and its user data, carried into the pipeline's log closure (which runs
/// on the calling thread, during the call).
private struct LogSink: @unchecked Sendable {
    let function: @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void
    let userData: UnsafeMutableRawPointer?
}

/// `bp_pipeline_run`: runs a pipeline file.
@_cdecl("bp_pipeline_run")
public func bp_pipeline_run(
    _ path: UnsafePointer<CChar>?,
    _ log: (@convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void)?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guarded { () throws(Failure) in
        _ = try runPipeline("bp_pipeline_run", path, log, userData)
    }
}

/// `bp_pipeline_run_json`: runs a pipeline file, then hands the run's JSON document to `result`.
@_cdecl("bp_pipeline_run_json")
public func bp_pipeline_run_json(
    _ path: UnsafePointer<CChar>?,
    _ log: (@convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void)?,
    _ logUserData: UnsafeMutableRawPointer?,
    _ result: (@convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void)?,
    _ resultUserData: UnsafeMutableRawPointer?
) -> Int32 {
    guarded { () throws(Failure) in
        let result = try required(result, "bp_pipeline_run_json", "result")
        let (context, name) = try runPipeline("bp_pipeline_run_json", path, log, logUserData)
        context.runSummaryJSON(pipeline: name).withCString { result($0, resultUserData) }
    }
}

/// Runs the pipeline file at `path` for `function`, every error turned into a status.
/// - Returns: the final context and the path as the caller gave it.
private func runPipeline(
    _ function: StaticString,
    _ path: UnsafePointer<CChar>?,
    _ log: (@convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void)?,
    _ userData: UnsafeMutableRawPointer?
) throws(Failure) -> (PipelineContext, String) {
    let path = String(cString: try required(path, function, "path"))
    guard FileManager.default.fileExists(atPath: path) else {
        throw Failure(.notFound, "\(function): \(path): no such pipeline file")
    }
    let sink = log.map { LogSink(function: $0, userData: userData) }
    do {
        let pipeline = try Pipeline(contentsOf: URL(fileURLWithPath: path))
        let context = try pipeline.run { line in
            guard let sink else { return }
            line.withCString { sink.function($0, sink.userData) }
        }
        return (context, path)
    } catch let error as BackpropError {
        throw Failure(Status(error.category), error.message)
    } catch {
        throw Failure(.internalError, "\(function): \(error)")
    }
}
