import BackpropC

/// The model loader through the C ABI as a C host calls it: load from a buffer, describe every
/// input, category and output, predict one row and a batch, free. No call may trap.
enum CEntryPoints {
    @Sendable static func loadAndUse(_ bytes: UnsafeRawBufferPointer) {
        var model: OpaquePointer?
        let status = bytes.baseAddress.map { bp_model_load_buffer($0, UInt(bytes.count), &model) } ?? 1
        guard status == 0, let model else {
            _ = bp_last_error()
            return
        }
        defer { bp_model_free(model) }
        var inputs: UInt = 0, outputs: UInt = 0, features: UInt = 0
        _ = bp_model_input_count(model, &inputs)
        _ = bp_model_output_count(model, &outputs)
        _ = bp_model_feature_count(model, &features)
        var row = [Double](repeating: 0, count: Int(inputs))
        for input in 0..<inputs {
            var name: UnsafePointer<CChar>?
            _ = bp_model_input_name(model, input, &name)
            var count: UInt = 0
            _ = bp_model_input_category_count(model, input, &count)
            var label: UnsafePointer<CChar>?, code = 0.0
            if count > 0, bp_model_input_category(model, input, 0, &label, &code) == 0 { row[Int(input)] = code }
        }
        for output in 0..<outputs {
            var name: UnsafePointer<CChar>?
            _ = bp_model_output_name(model, output, &name)
        }
        var out = [Double](repeating: 0, count: Int(outputs) * 2)
        _ = bp_model_predict_raw_sized(model, row, UInt(row.count), &out, UInt(out.count))
        let batch = row + row
        _ = bp_model_predict_raw_sized(model, batch, UInt(batch.count), &out, UInt(out.count))
        let zeros = [Double](repeating: 0, count: Int(features))
        _ = bp_model_predict_features_sized(model, zeros, UInt(zeros.count), &out, UInt(out.count))
    }
}
