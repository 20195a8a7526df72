import FoundationEssentials

/// Builds an ONNX graph of float64 tensors node by node: fresh value names, scalar and matrix
/// constants as initializers, nodes in topological order (each added after its inputs).
struct ONNXGraphBuilder {
    /// ONNX's TensorProto.DataType for float64.
    static let doubleType: Int32 = 11
    /// The prefix of every value the builder names; model inputs and outputs must not start with it.
    static let reservedPrefix = "_bp_"

    var graph = Onnx_GraphProto()
    private var counter = 0

    /// A value name no other value has.
    mutating func freshName(_ hint: String) -> String {
        counter += 1
        return "\(Self.reservedPrefix)\(counter)_\(hint)"
    }

    /// Adds a graph input: float64 of shape [N, width], N the row count.
    mutating func addInput(_ name: String, width: Int) {
        graph.input.append(Self.valueInfo(name, width: width))
    }

    /// Adds a graph output: float64 of shape [N, width].
    mutating func addOutput(_ name: String, width: Int, documentation: String) {
        var info = Self.valueInfo(name, width: width)
        info.docString = documentation
        graph.output.append(info)
    }

    /// A float64 constant (dims [] for a scalar) as an initializer; returns its name.
    mutating func constant(_ values: [Double], dims: [Int], hint: String) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = freshName(hint)
        tensor.dataType = Self.doubleType
        tensor.dims = dims.map(Int64.init)
        tensor.doubleData = values
        graph.initializer.append(tensor)
        return tensor.name
    }

    /// A float64 scalar constant.
    mutating func scalar(_ value: Double, hint: String) -> String {
        constant([value], dims: [], hint: hint)
    }

    /// Adds a node of the default domain; returns the name of its (single) output.
    @discardableResult
    mutating func node(
        _ opType: String, _ inputs: [String], output: String? = nil, attributes: [Onnx_AttributeProto] = []
    ) -> String {
        var node = Onnx_NodeProto()
        node.opType = opType
        node.name = "\(opType)_\(graph.node.count)"
        node.input = inputs
        node.output = [output ?? freshName(opType.lowercased())]
        node.attribute = attributes
        graph.node.append(node)
        return node.output[0]
    }

    /// An integer attribute.
    static func attribute(_ name: String, int value: Int) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        return attribute
    }

    private static func valueInfo(_ name: String, width: Int) -> Onnx_ValueInfoProto {
        var rows = Onnx_TensorShapeProto.Dimension()
        rows.dimParam = "N"
        var columns = Onnx_TensorShapeProto.Dimension()
        columns.dimValue = Int64(width)
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = doubleType
        tensor.shape.dim = [rows, columns]
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensor
        return info
    }
}
