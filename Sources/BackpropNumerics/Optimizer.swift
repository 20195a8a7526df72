import Glibc

/// How a gradient becomes a weight update.
public enum Optimizer: Equatable, Sendable {
    /// Plain gradient descent, w ← w − rate · g (the reference).
    case gradientDescent
    /// Heavy-ball momentum: v ← β·v + g, w ← w − rate · v.
    case momentum(beta: Double = 0.9)
    /// Adam (Kingma & Ba): bias-corrected running means of g and g², w ← w − rate · m̂ / (√v̂ + ε).
    case adam(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8)

    /// The name used in pipeline and model files.
    public var name: String {
        switch self {
        case .gradientDescent: return "gd"
        case .momentum: return "momentum"
        case .adam: return "adam"
        }
    }
}

/// The running state of an optimizer for one network (velocities, moment estimates, step count),
/// allocated once and updated in place.
public struct OptimizerState: Sendable {
    /// The optimizer.
    public let optimizer: Optimizer
    /// The number of updates made so far.
    public private(set) var step = 0
    private var firstMoment: [[Double]] = []
    private var secondMoment: [[Double]] = []

    /// Zero state shaped like `network`: one slot per weight, then one per bias, layer by layer.
    public init(_ optimizer: Optimizer, network: Network) {
        self.optimizer = optimizer
        let sizes = network.layers.map { $0.weights.values.count + ($0.bias?.count ?? 0) }
        switch optimizer {
        case .gradientDescent: break
        case .momentum: firstMoment = sizes.map { Array(repeating: 0, count: $0) }
        case .adam:
            firstMoment = sizes.map { Array(repeating: 0, count: $0) }
            secondMoment = firstMoment
        }
    }

    /// One update of every weight and bias of `network` from `gradients`.
    /// - Parameters:
    ///   - learningRate: the step size.
    ///   - l2: the L2 penalty λ: the objective gains λ/2 · Σw² over weights (not biases), so
    ///     λ·w joins each weight's gradient.
    public mutating func update(_ network: inout Network, gradients: Gradients, learningRate rate: Double, l2: Double) {
        step += 1
        for index in network.layers.indices {
            let weightCount = network.layers[index].weights.values.count
            network.layers[index].weights.values.withUnsafeMutableBufferPointer { w in
                gradients.weights[index].values.withUnsafeBufferPointer { g in
                    update(w, g, layer: index, offset: 0, rate: rate, l2: l2)
                }
            }
            if let biasGradient = gradients.bias[index] {
                network.layers[index].bias!.withUnsafeMutableBufferPointer { b in
                    biasGradient.withUnsafeBufferPointer { g in
                        update(b, g, layer: index, offset: weightCount, rate: rate, l2: 0)
                    }
                }
            }
        }
    }

    private mutating func update(
        _ w: UnsafeMutableBufferPointer<Double>, _ g: UnsafeBufferPointer<Double>,
        layer: Int, offset: Int, rate: Double, l2: Double
    ) {
        switch optimizer {
        case .gradientDescent:
            if l2 == 0 {
                for i in 0..<w.count { w[i] -= rate * g[i] }  // the reference's arithmetic, exactly
            } else {
                for i in 0..<w.count { w[i] -= rate * (g[i] + l2 * w[i]) }
            }
        case .momentum(let beta):
            firstMoment[layer].withUnsafeMutableBufferPointer { v in
                for i in 0..<w.count {
                    v[offset + i] = beta * v[offset + i] + (g[i] + l2 * w[i])
                    w[i] -= rate * v[offset + i]
                }
            }
        case .adam(let beta1, let beta2, let epsilon):
            let correction1 = 1 - pow(beta1, Double(step)), correction2 = 1 - pow(beta2, Double(step))
            firstMoment[layer].withUnsafeMutableBufferPointer { m in
                secondMoment[layer].withUnsafeMutableBufferPointer { v in
                    for i in 0..<w.count {
                        let gradient = g[i] + l2 * w[i]
                        m[offset + i] = beta1 * m[offset + i] + (1 - beta1) * gradient
                        v[offset + i] = beta2 * v[offset + i] + (1 - beta2) * gradient * gradient
                        let mHat = m[offset + i] / correction1, vHat = v[offset + i] / correction2
                        w[i] -= rate * mHat / (vHat.squareRoot() + epsilon)
                    }
                }
            }
        }
    }
}
