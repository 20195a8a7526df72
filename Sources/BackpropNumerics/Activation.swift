import Glibc

/// A layer's elementwise nonlinearity, with its derivative beside it.
public enum Activation: String, CaseIterable, Codable, Sendable {
    /// 1 / (1 + e^−z); derivative a(1 − a), at most 0.25.
    case sigmoid
    /// tanh z; derivative 1 − a².
    case tanh
    /// max(0, z); derivative 1 for z > 0, else 0.
    case relu
    /// z for z > 0, else 0.01·z.
    case leakyRelu = "leaky_relu"
    /// z; derivative 1.
    case identity
    /// e^z_j / Σ_k e^z_k across a row (not elementwise): the forward pass and backpropagation
    /// call `softmaxRows` and `softmaxBackward` for it; `apply` and `derivative` must not be used.
    case softmax

    /// Whether the activation is applied elementwise (every case but softmax).
    public var isElementwise: Bool { self != .softmax }

    /// The slope of leaky ReLU for negative inputs.
    public static let leakySlope = 0.01

    /// The activation of one pre-activation value `z`.
    @inline(__always)
    public func apply(_ z: Double) -> Double {
        switch self {
        case .sigmoid: return logistic(z)
        case .tanh: return Glibc.tanh(z)
        case .relu: return z > 0 ? z : 0
        case .leakyRelu: return z > 0 ? z : Activation.leakySlope * z
        case .identity: return z
        case .softmax: preconditionFailure("softmax is applied row by row (softmaxRows)")
        }
    }

    /// The derivative at pre-activation `z`, given the activation `a = apply(z)`.
    @inline(__always)
    public func derivative(z: Double, a: Double) -> Double {
        switch self {
        case .sigmoid: return a * (1 - a)
        case .tanh: return 1 - a * a
        case .relu: return z > 0 ? 1 : 0
        case .leakyRelu: return z > 0 ? 1 : Activation.leakySlope
        case .identity: return 1
        case .softmax: preconditionFailure("softmax's Jacobian is applied row by row (softmaxBackward)")
        }
    }
}

/// The logistic function 1 / (1 + e^−z).
@inline(__always)
public func logistic(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
