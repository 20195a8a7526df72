import Backprop
import BackpropNumerics
import FoundationEssentials
import SwiftProtobuf

/// Writes a trained model as an ONNX model holding its whole raw-row path: numeric imputation
/// (IsNaN, Where), the fitted standardization and min-max (Sub, Div), one-hot from the category
/// value (Equal, Cast), the
/// dense layers (MatMul, Add), their activations and softmax, all in float64.
///
/// The graph takes one input per raw model input, named as the model's input, float64 of shape
/// [N, 1] (a categorical input holds the value standing for its category, as in the C ABI:
/// the label's number, or its position for text labels), and gives one output named as the
/// target, float64 of shape [N, outputs]. The ONNX graph does not check categories: a value that
/// stands for no category encodes as zeros (the library reports it as an error, unless the
/// one-hot step ignores unknown values, as the graph does).
public enum ONNXExport {
    /// The ONNX IR version written (ONNX 1.10, 2021-07-30; read by ONNX Runtime 1.10 and later).
    public static let irVersion: Int64 = 8
    /// The opset of the default domain the graph uses.
    public static let opsetVersion: Int64 = 17
    /// The element type of every tensor, as the export states it.
    public static let elementType = "float64"

    /// The serialized ONNX model of `model`.
    /// - Throws: `BackpropError` (`.model`) naming the step or layer that ONNX cannot express
    ///   (a plugin step, a step kind it does not know, one-hot of a rescaled column).
    public static func serialized(_ model: TrainedModel) throws -> Data {
        try modelProto(model).serializedData()
    }

    /// The ONNX model of `model` as a message.
    static func modelProto(_ model: TrainedModel) throws -> Onnx_ModelProto {
        var builder = ONNXGraphBuilder()
        builder.graph.name = model.target
        let reserved = (model.inputs.map(\.name) + [model.target]).filter { $0.hasPrefix(ONNXGraphBuilder.reservedPrefix) }
        if let name = reserved.first {
            throw BackpropError(.model, "cannot export to ONNX: the name '\(name)' starts with '\(ONNXGraphBuilder.reservedPrefix)', which the export keeps for its own values")
        }
        for input in model.inputs { builder.addInput(input.name, width: 1) }
        let features = try featureValues(model, &builder)
        var activations = features.count == 1 ? features[0]
            : builder.node("Concat", features, attributes: [ONNXGraphBuilder.attribute("axis", int: 1)])
        for (index, layer) in model.network.layers.enumerated() {
            activations = layerValue(layer, index: index, input: activations, &builder)
        }
        let outputNames = model.outputNames
        builder.node("Identity", [activations], output: model.target)
        builder.addOutput(model.target, width: outputNames.count,
                          documentation: "columns: " + outputNames.joined(separator: ", "))

        var proto = Onnx_ModelProto()
        proto.irVersion = irVersion
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = opsetVersion
        proto.opsetImport = [opset]
        proto.producerName = "backprop"
        proto.producerVersion = "\(ModelFile.format) \(ModelFile.version)"
        proto.docString = "Backprop model: raw inputs \(model.inputs.map(\.name).joined(separator: ", ")) (float64 [N, 1] each) -> \(model.target) (float64 [N, \(outputNames.count)]: \(outputNames.joined(separator: ", ")))"
        proto.metadataProps = metadata(model)
        proto.graph = builder.graph
        return proto
    }

    /// The feature values in `model.features` order, each [N, 1], traced through the preprocessing.
    private static func featureValues(_ model: TrainedModel, _ builder: inout ONNXGraphBuilder) throws -> [String] {
        /// A column while the preprocessing is traced: a value name, and whether it is still a raw
        /// category (not yet one-hot encoded) or has been rescaled.
        struct Traced { var name: String; var value: String; var rawCategory: Bool; var rescaled: Bool }
        var columns = model.inputs.map { Traced(name: $0.name, value: $0.name, rawCategory: $0.categorical, rescaled: false) }
        func numeric(_ column: String, _ step: Int, _ kind: String) throws -> Int {
            guard let index = columns.firstIndex(where: { $0.name == column }), !columns[index].rawCategory else {
                throw BackpropError(.model, "cannot export to ONNX: preprocessing step \(step + 1) (\(kind)): no numeric column '\(column)'")
            }
            return index
        }
        /// `(value − shift) / scale`, the form of standardization and min-max.
        func rescale(_ column: inout Traced, subtracting shift: (Double, String), dividingBy scale: (Double, String)) {
            let shiftValue = builder.scalar(shift.0, hint: "\(column.name)_\(shift.1)")
            let scaleValue = builder.scalar(scale.0, hint: "\(column.name)_\(scale.1)")
            let shifted = builder.node("Sub", [column.value, shiftValue])
            column.value = builder.node("Div", [shifted, scaleValue])
            column.rescaled = true
        }
        for (step, transform) in model.preprocessing.enumerated() {
            switch transform {
            case let t as StandardizeTransform:
                let index = try numeric(t.column, step, StandardizeTransform.kind)
                rescale(&columns[index], subtracting: (t.mean, "mean"), dividingBy: (t.standardDeviation, "std"))
            case let t as MinMaxTransform:
                let index = try numeric(t.column, step, MinMaxTransform.kind)
                rescale(&columns[index], subtracting: (t.minimum, "min"), dividingBy: (t.range, "range"))
            case let t as OneHotTransform:
                guard let index = columns.firstIndex(where: { $0.name == t.column }) else {
                    throw BackpropError(.model, "cannot export to ONNX: preprocessing step \(step + 1) (one_hot): no column '\(t.column)'")
                }
                guard !columns[index].rescaled else {
                    throw BackpropError(.model, "cannot export to ONNX: preprocessing step \(step + 1) (one_hot) encodes column '\(t.column)' after rescaling it")
                }
                let codes = columns[index].rawCategory
                    ? TrainedModel.categoryCodes(t.categories)
                    : t.categories.map { Double($0) ?? .nan }  // a numeric column's labels are its numbers
                let source = columns[index].value
                let encoded = zip(t.outputNames, codes).map { name, code in
                    let value = builder.scalar(code, hint: "\(name)_code")
                    let equal = builder.node("Equal", [source, value])
                    let indicator = builder.node("Cast", [equal], attributes: [ONNXGraphBuilder.attribute("to", int: Int(ONNXGraphBuilder.doubleType))])
                    return Traced(name: name, value: indicator, rawCategory: false, rescaled: false)
                }
                columns.replaceSubrange(index...index, with: encoded)
            case let t as ImputeTransform:
                // A missing (NaN) value becomes the fill; the indicator says which were missing.
                guard case .number(let fill) = t.fill else {
                    throw BackpropError(.model, "cannot export to ONNX: preprocessing step \(step + 1) (impute) fills the categorical column '\(t.column)' (only numeric columns export)")
                }
                let index = try numeric(t.column, step, ImputeTransform.kind)
                let value = builder.scalar(fill, hint: "\(t.column)_fill")
                let missing = builder.node("IsNaN", [columns[index].value])
                columns[index].value = builder.node("Where", [missing, value, columns[index].value])
                if t.indicator {
                    let indicator = builder.node("Cast", [missing], attributes: [ONNXGraphBuilder.attribute("to", int: Int(ONNXGraphBuilder.doubleType))])
                    columns.insert(Traced(name: t.indicatorName, value: indicator, rawCategory: false, rescaled: false), at: index + 1)
                }
            default:
                let kind = type(of: transform).kind
                throw BackpropError(.model, "cannot export to ONNX: preprocessing step \(step + 1) (\(kind)) has no ONNX equivalent (only impute, standardize, min_max and one_hot export; a model with a plugin step is served through the C library or Python)")
            }
        }
        guard columns.map(\.name) == model.features, !columns.contains(where: \.rawCategory) else {
            throw BackpropError(.model, "cannot export to ONNX: the preprocessing gives [\(columns.map(\.name).joined(separator: ", "))], the network takes [\(model.features.joined(separator: ", "))]")
        }
        return columns.map(\.value)
    }

    /// The value of `layer`'s activations for the input value `input` ([N, layer inputs]).
    private static func layerValue(_ layer: DenseLayer, index: Int, input: String, _ builder: inout ONNXGraphBuilder) -> String {
        let weights = builder.constant(layer.weights.values, dims: [layer.inputCount, layer.outputCount], hint: "layer\(index + 1)_weights")
        var z = builder.node("MatMul", [input, weights])
        if let bias = layer.bias {
            let biases = builder.constant(bias, dims: [bias.count], hint: "layer\(index + 1)_bias")
            z = builder.node("Add", [z, biases])
        }
        switch layer.activation {
        case .sigmoid: return builder.node("Sigmoid", [z])
        case .tanh: return builder.node("Tanh", [z])
        case .relu: return builder.node("Relu", [z])
        case .leakyRelu:
            // max(z, slope·z) with a float64 slope: LeakyRelu's alpha attribute is float32.
            let slope = builder.scalar(Activation.leakySlope, hint: "leaky_slope")
            let scaled = builder.node("Mul", [z, slope])
            return builder.node("Max", [z, scaled])
        case .identity: return z
        case .softmax: return builder.node("Softmax", [z], attributes: [ONNXGraphBuilder.attribute("axis", int: -1)])
        }
    }

    /// What a caller needs beside the graph: output names and each categorical input's codes.
    private static func metadata(_ model: TrainedModel) -> [Onnx_StringStringEntryProto] {
        var entries = [("backprop.outputs", model.outputNames.joined(separator: ","))]
        for (index, input) in model.inputs.enumerated() {
            let categories = model.categories(ofInput: index)
            guard !categories.isEmpty else { continue }
            let codes = categories.map { "\($0.label)=\(OneHotTransform.label(for: $0.code))" }
            entries.append(("backprop.categories.\(input.name)", codes.joined(separator: ",")))
        }
        return entries.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
    }
}
