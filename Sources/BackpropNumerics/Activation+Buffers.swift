extension Activation {
    /// a = f(z) for every element (the activation chosen once, outside the loop).
    /// - Precondition: `z` and `a` have the same count.
    public func apply(_ z: UnsafeBufferPointer<Double>, into a: UnsafeMutableBufferPointer<Double>) {
        precondition(z.count == a.count, "buffers differ in length")
        switch self {
        case .sigmoid: Activation.vectorLogistic(z, into: a)
        case .tanh, .leakyRelu: for i in 0..<z.count { a[i] = apply(z[i]) }
        case .relu: for i in 0..<z.count { a[i] = z[i] > 0 ? z[i] : 0 }
        case .identity: for i in 0..<z.count { a[i] = z[i] }
        case .softmax: preconditionFailure("softmax is applied row by row (softmaxRows)")
        }
    }

    /// δ ← δ · f'(z) for every element, given z and a = f(z).
    /// - Precondition: the three buffers have the same count.
    public func multiplyByDerivative(
        _ delta: UnsafeMutableBufferPointer<Double>, z: UnsafeBufferPointer<Double>, a: UnsafeBufferPointer<Double>
    ) {
        precondition(delta.count == z.count && z.count == a.count, "buffers differ in length")
        switch self {
        case .sigmoid: for i in 0..<delta.count { delta[i] *= a[i] * (1 - a[i]) }
        case .tanh: for i in 0..<delta.count { delta[i] *= 1 - a[i] * a[i] }
        case .relu, .leakyRelu: for i in 0..<delta.count { delta[i] *= derivative(z: z[i], a: a[i]) }
        case .identity: break
        case .softmax: preconditionFailure("softmax's Jacobian is applied row by row (softmaxBackward)")
        }
    }
}
