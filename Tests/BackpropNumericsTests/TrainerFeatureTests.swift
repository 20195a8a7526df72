import BackpropNumerics
import XCTest

/// Trainer features beyond the reference: gradient norms, validation and early stopping,
/// seeded mini-batch shuffles, the non-finite loss stop, and the vanishing gradient itself.
final class TrainerFeatureTests: XCTestCase {
    private func data(rows: Int, seed: UInt64) -> (x: Matrix, t: Matrix) {
        let g = RandomGenerator(seed: seed)
        let x = Matrix(rows: rows, columns: 3, values: (0..<(rows * 3)).map { _ in g.gaussian(standardDeviation: 1) })
        let t = Matrix(rows: rows, columns: 1, values: (0..<rows).map { x[$0, 0] + 0.5 * x[$0, 1] > 0 ? 1 : 0 })
        return (x, t)
    }

    private func network(_ sizes: [Int], _ activation: Activation, _ initialization: WeightInitialization, seed: UInt64) -> Network {
        Network(
            sizes: sizes, activations: Array(repeating: activation, count: sizes.count - 2) + [.sigmoid], bias: true,
            initialization: Array(repeating: initialization, count: sizes.count - 1), generator: RandomGenerator(seed: seed))
    }

    func testRecordedGradientNormsAreThoseOfTheTrainingRows() throws {
        let (x, t) = data(rows: 40, seed: 1)
        var n = network([3, 4, 1], .tanh, .xavier, seed: 2)
        let configuration = TrainingConfiguration(epochs: 10, learningRate: 0.5, loss: .binaryCrossEntropy, optimizer: .adam())
        let history = try Trainer(configuration: configuration).train(&n, inputs: x, targets: t, generator: RandomGenerator(seed: 3), onRecord: { _ in })
        XCTAssertEqual(history.records.map(\.epoch), Array(0..<10))
        let last = try XCTUnwrap(history.records.last)
        let expected = n.gradients(inputs: x, targets: t, loss: .binaryCrossEntropy).gradients.weights.map { m in
            m.values.map { $0 * $0 }.reduce(0, +).squareRoot()
        }
        XCTAssertEqual(last.gradientNorms.count, 2)
        for (got, want) in zip(last.gradientNorms, expected) { XCTAssertEqual(got, want, accuracy: 1e-12) }
        XCTAssertLessThan(last.loss, history.records[0].loss)
    }

    func testEarlyStoppingKeepsTheBestEpochsWeights() throws {
        // Validation targets are the opposite of the training targets: validation loss rises
        // from the first epoch on, so epoch 0 is best and training stops `patience` epochs later.
        let (x, t) = data(rows: 30, seed: 4)
        let flipped = Matrix(rows: 30, columns: 1, values: t.values.map { 1 - $0 })
        let start = network([3, 3, 1], .relu, .he, seed: 5)
        var n = start
        let configuration = TrainingConfiguration(epochs: 100, learningRate: 0.5, loss: .binaryCrossEntropy, patience: 3)
        let history = try Trainer(configuration: configuration).train(
            &n, inputs: x, targets: t, validation: (x, flipped), generator: RandomGenerator(seed: 6), onRecord: { _ in })
        XCTAssertTrue(history.stoppedEarly)
        XCTAssertEqual(history.bestEpoch, 0)
        XCTAssertEqual(history.epochsRun, 4)
        XCTAssertNotNil(history.records.last?.validationLoss)
        var oneEpoch = start
        _ = try Trainer(configuration: TrainingConfiguration(epochs: 1, learningRate: 0.5, loss: .binaryCrossEntropy))
            .train(&oneEpoch, inputs: x, targets: t, generator: RandomGenerator(seed: 6))
        XCTAssertEqual(n, oneEpoch)
    }

    func testMiniBatchShufflesFollowTheSeed() throws {
        let (x, t) = data(rows: 50, seed: 7)
        func train(seed: UInt64) throws -> Network {
            var n = network([3, 4, 1], .sigmoid, .normal, seed: 8)
            _ = try Trainer(configuration: TrainingConfiguration(epochs: 5, learningRate: 0.3, batchSize: 8))
                .train(&n, inputs: x, targets: t, generator: RandomGenerator(seed: seed))
            return n
        }
        XCTAssertEqual(try train(seed: 1), try train(seed: 1))
        XCTAssertNotEqual(try train(seed: 1), try train(seed: 2))
    }

    func testHugeLearningRateStopsWithTheEpoch() {
        let (x, t) = data(rows: 20, seed: 9)
        var n = network([3, 4, 1], .relu, .he, seed: 10)
        n.layers[1].activation = .identity
        let trainer = Trainer(configuration: TrainingConfiguration(epochs: 1000, learningRate: 1e6))
        XCTAssertThrowsError(try trainer.train(&n, inputs: x, targets: t, generator: RandomGenerator(seed: 1))) { error in
            guard case TrainingError.nonFiniteLoss(let epoch) = error else { return XCTFail("\(error)") }
            XCTAssertLessThan(epoch, 1000)
        }
    }

    func testDeepSigmoidGradientVanishesAndReLUsDoesNot() throws {
        let (x, t) = data(rows: 64, seed: 11)
        let sizes = [3, 16, 16, 16, 16, 16, 16, 1]
        func firstToLastRatio(_ n: Network) -> Double {
            let norms = n.gradients(inputs: x, targets: t, loss: .binaryCrossEntropy).gradients.weightNorms
            return norms.first! / norms.last!
        }
        let sigmoid = firstToLastRatio(network(sizes, .sigmoid, .xavier, seed: 12))
        let relu = firstToLastRatio(network(sizes, .relu, .he, seed: 12))
        XCTAssertLessThan(sigmoid, 0.01, "six sigmoid layers shrink the signal by at least 0.25 each")
        XCTAssertGreaterThan(relu, 0.1)
    }
}
