import BackpropNumerics
import FoundationEssentials
import Glibc

extension TrainStage {
    /// Trains on the training rows (all rows when there is no split) and records the model.
    public func run(_ context: inout PipelineContext) throws {
        let data = try context.requireData()
        // The training rows' positions; nil: every row, in order (no list of every row).
        var rows = context.split?.trainRows
        var rowList: [Int] { rows?.array ?? Array(0..<data.rowCount) }
        // Several processes: each holds some rows; where they sit in the global training order.
        let group = context.rowGroup
        var global: (positions: [Int], count: Int)?
        if group.size > 1 {
            if let split = context.split?.global {
                global = (split.train, split.trainCount)
            } else {
                let shards = try RowShards(rowIDs: data.rowIDs, group: group)
                global = (rowList.map { shards.offset + $0 }, shards.total)
            }
        }
        let features: TrainingFeatures, encoding: TargetEncoding?
        var targets: TargetValues
        do {
            // Steps that can fail on one process only are agreed on before the next collective.
            features = try context.rowGroup.agreeing {
                let features = try TrainingFeatures(context)  // in memory or in a cache: rows are gathered a block at a time
                try features.checkPresent(rows, in: data)
                return features
            }
            // In memory, or read from the cache a block at a time when it is needed.
            let target = try context.targetColumn()
            encoding = try TargetEncoding.fit(target, rows: rows, rowCount: data.rowCount, output: outputActivation, positive: positiveClass,
                                              group: context.rowGroup)
            targets = try context.rowGroup.agreeing { try TargetValues(column: target, encoding: encoding) }
        } catch let error as BackpropError {
            throw context.error(.data, error.message)
        }
        if let encoding {
            let what = isMulticlass ? "one output per class" : "the output is the probability of \(encoding.classes[1])"
            context.log("Target '\(data.target.name)': classes \(encoding.classes.joined(separator: ", ")); \(what)")
        }
        let scaling = standardizeTarget ? try targetScaling(try targetsRead(targets, at: rows?.array, context), context: context) : nil
        if let scaling {
            targets.scaling = TargetValues.Scaling(mean: scaling.mean, sd: scaling.sd)
            context.log("Target '\(data.target.name)' standardized for training (mean \(scaling.mean), sd \(scaling.sd)); losses are in standard units, predictions in the original ones")
        }
        let classCount = isMulticlass ? encoding?.classes.count ?? 0 : 1
        let sizes = [features.names.count] + hidden + [classCount]
        let layerActivations = activations + [outputActivation]
        var parameters = 0
        for (fanIn, fanOut) in zip(sizes, sizes.dropFirst()) {
            let (product, overflow) = (fanIn + 1).multipliedReportingOverflow(by: fanOut)
            parameters = overflow ? Int.max : parameters.addingReportingOverflow(product).overflow ? Int.max : parameters + product
        }
        // Weights, gradients and optimizer state: several copies of every parameter.
        try Limits.reserve(parameters, bytesEach: 8 * 4, limit: Limits.networkParameters,
                           what: "the network \(sizes.map(String.init).joined(separator: "-"))", category: .pipeline)
        let generator = RandomGenerator(seed: seed)
        var network = try initialNetwork(sizes: sizes, activations: layerActivations, generator: generator, context: context)

        // Validation rows: a seeded share of the training rows, drawn after the weights.
        var validationRows = [Int](), globalValidationCount = 0
        if validationFraction > 0, let shared = global {
            let drawn = try Self.globalValidationSplit(rows: rowList, positions: shared.positions, globalCount: shared.count,
                                                       fraction: validationFraction, generator: generator, context: context)
            (validationRows, rows, globalValidationCount) = (drawn.validation, RowList(drawn.train), drawn.validationCount)
            global = (drawn.trainPositions, shared.count - drawn.validationCount)
        } else if validationFraction > 0 {
            let all = rowList
            let count = Int((validationFraction * Double(all.count)).rounded())
            guard count >= 1, count < all.count else {
                throw context.error(.data, "validation_fraction \(validationFraction) of \(all.count) training rows leaves no validation or no training rows")
            }
            let held = Set(generator.shuffled(all).prefix(count))
            validationRows = all.filter(held.contains)
            rows = RowList(all.filter { !held.contains($0) })
        }
        // Full batch from a cache: the training rows in file order (no cache when rows are shared).
        let fileOrder = global == nil && features.prefersFileOrder(batchSize: batchSize)
        if fileOrder && classWeight != nil { rows = rows?.sorted() }  // the row weights follow the sorted list
        // In memory: every row's target made once; from a cache: a block's as it is read.
        let allTargets = features.isCached ? nil : try targetsRead(targets, at: nil, context)
        func source(_ positions: RowList?, weights: [Double]? = nil, inFileOrder: Bool = false) -> any TrainingRowSource {
            features.rows(targets: targets, allTargets: allTargets, oneHotClasses: isMulticlass ? classCount : nil, positions: positions,
                          weights: weights, inFileOrder: inFileOrder)
        }

        let configuration = TrainingConfiguration(
            epochs: epochs, learningRate: learningRate, batchSize: batchSize, loss: loss,
            optimizer: optimizer, l2: l2, patience: patience, precision: precision, threads: threads)
        var previous: Double?
        let log = context.log, progress = context.progress
        let trainingCodes = classWeight == nil ? [] : try allTargets.map { all in rows.map { $0.map { all[$0] } } ?? all } ?? targetsRead(targets, at: rows?.array, context)
        let classWeights = try classWeight.map { try Self.classWeights($0, codes: trainingCodes, encoding: encoding, context: context) }
        let rowWeights = classWeights.map { weights in trainingCodes.map { weights.perClass[Int($0)] } }
        if let classWeights, let encoding {
            let byClass = classWeights.byClass(encoding)
            context.log("Class weights: " + encoding.classes.map { "\($0) " + cFormat("%.4g", byClass[$0] ?? 1) }.joined(separator: ", "))
        }
        let history: TrainingHistory
        do {
            let shard = global.map { global in
                TrainingShard(globalPositions: global.positions, globalRowCount: global.count,
                              globalValidationRowCount: globalValidationCount) { try group.sum(&$0) }
            }
            history = try Trainer(configuration: configuration).train(
                &network, rows: source(rows, weights: rowWeights, inFileOrder: fileOrder),
                validation: validationRows.isEmpty && globalValidationCount == 0 ? nil : source(RowList(validationRows)), shard: shard,
                generator: generator, onEpoch: progress.map { report in { report(TrainingProgress(epoch: $0, epochs: epochs)) } }
            ) { record in
                let rising = previous.map { $0 < record.loss } ?? false
                let validationText = record.validationLoss.map { "  validation loss: \($0)" } ?? ""
                log("Train loss: \(record.loss)" + validationText + (rising ? "  WARNING - Loss Increasing" : ""))
                previous = record.loss
            }
        } catch {
            guard case .nonFiniteLoss(let epoch) = error else {
                if case .unreadableRows(let message) = error { throw context.error(.data, "training rows: \(message); no model written") }
                if case .collectiveFailed(let message) = error { throw context.error(.pipeline, "adding the processes' gradients: \(message); no model written") }
                throw error
            }
            throw context.error(.training, "the training loss became NaN or infinite at epoch \(epoch + 1); try a smaller learning_rate (now \(learningRate)); no model written")
        }
        if history.stoppedEarly, let best = history.bestEpoch {
            log("Early stop after epoch \(history.epochsRun): no validation improvement for \(patience!) epochs; kept the weights of epoch \(best + 1) (best_epoch \(best) in the model and report, whose records count epochs from 0)")
        }
        for (index, layer) in network.layers.enumerated()
        where !layer.weights.values.allSatisfy(\.isFinite) || !(layer.bias ?? []).allSatisfy(\.isFinite) {
            throw context.error(.training, "layer \(index + 1)'s weights became NaN or infinite although the loss stayed finite; try a smaller learning_rate (now \(learningRate)); no model written")
        }
        if group.size > 1 { try Self.checkSameWeights(network, group: group, context: context) }
        for line in GradientReport.lines(history) { log(line) }
        context.trainingLosses = history.losses
        context.trainingHistory = history
        if let scaling { network = Self.unscaledOutput(network, mean: scaling.mean, sd: scaling.sd) }
        var summary = trainingSummary(rows: global?.count ?? rows?.count ?? data.rowCount, validationRows: global == nil ? validationRows.count : globalValidationCount,
                                      classes: encoding.map { classCodes($0.classes) } ?? nil, history: history)
        if let classWeights, let encoding {
            summary["class_weight"] = .object(classWeights.byClass(encoding).mapValues(JSONValue.number))
        }
        if let scaling {
            summary["target_scaling"] = .object(["mean": .number(scaling.mean), "std": .number(scaling.sd), "folded_into": .string("output layer")])
        }
        var model = TrainedModel(
            inputs: context.rawInputs, preprocessing: context.preprocessing, features: features.names,
            target: data.target.name, network: network, training: summary, targetEncoding: encoding)
        model.sourceCSV = context.sourceCSV
        model.missingMarkers = context.missingMarkers
        context.model = model
        if let modelURL {
            context.outputs.append(PendingOutput(label: "Model", url: modelURL, data: ModelFile.encode(model)))
        }
    }

    /// The targets of the rows at `rows` (nil: every row), in that order: 8 bytes per row, for
    /// the steps that need every training row's (target standardization, class weights).
    /// - Throws: `.data` when the cache cannot be read.
    private func targetsRead(_ targets: TargetValues, at rows: [Int]?, _ context: PipelineContext) throws -> [Double] {
        do {
            return try targets.values(at: rows)
        } catch let error as BackpropError {
            throw context.error(.data, error.message)
        }
    }

    /// The weight of each training row from its class: `balanced` gives n / (k · n_c) over the
    /// rows trained on (scikit-learn's `compute_class_weight`), a map gives each named class its
    /// weight (1 for classes it does not name).
    static func rowWeights(_ choice: ClassWeight, codes: [Double], encoding: TargetEncoding?, context: PipelineContext) throws -> [Double] {
        let weights = try classWeights(choice, codes: codes, encoding: encoding, context: context)
        return codes.map { weights.perClass[Int($0)] }
    }

    /// The weight of each class (see `rowWeights`), from the training rows of every process.
    static func classWeights(_ choice: ClassWeight, codes: [Double], encoding: TargetEncoding?, context: PipelineContext) throws -> ClassWeights {
        guard let encoding else {
            throw context.error(.data, "class_weight needs a class target (a sigmoid or softmax output over labels); this target is a quantity")
        }
        let k = encoding.classes.count
        var counts = Array(repeating: 0, count: k)
        for code in codes { counts[Int(code)] += 1 }
        if context.rowGroup.size > 1 {  // the training rows of every process
            var all = counts.map(Int64.init)
            try context.rowGroup.sum(&all)
            counts = all.map { Int($0) }
        }
        let rowCount = counts.reduce(0, +)
        let perClass: [Double]
        switch choice {
        case .balanced:
            perClass = counts.map { $0 > 0 ? Double(rowCount) / (Double(k) * Double($0)) : 1 }
        case .map(let weights):
            for label in weights.keys where !encoding.classes.contains(label) {
                throw context.error(.data, "class_weight names \"\(label)\", not a class of the target (classes: \(encoding.classes.joined(separator: ", ")))")
            }
            perClass = encoding.classes.map { weights[$0] ?? 1 }
        }
        guard counts.indices.contains(where: { counts[$0] > 0 && perClass[$0] > 0 }) else {
            throw context.error(.data, "class_weight gives every training row the weight 0")
        }
        return ClassWeights(perClass: perClass, counts: counts)
    }

    /// The weight of each class, and how many training rows (of every process) it has.
    struct ClassWeights {
        /// One weight per class position.
        var perClass: [Double]
        /// Training rows per class position.
        var counts: [Int]

        /// The weight of each class that has training rows, by label.
        func byClass(_ encoding: TargetEncoding) -> [String: Double] {
            var weights = [String: Double]()
            for (index, label) in encoding.classes.enumerated() where counts[index] > 0 { weights[label] = perClass[index] }
            return weights
        }
    }

    /// A softmax model's class labels as numbers, for the `classes` entry of the training
    /// summary (as format 1 wrote it), when every label is a number; else nil.
    private func classCodes(_ labels: [String]) -> [Double]? {
        guard isMulticlass else { return nil }
        let numbers = labels.compactMap { Double($0) }
        return numbers.count == labels.count ? numbers : nil
    }

    /// The mean and sample standard deviation (1 when constant) of the training rows' targets.
    private func targetScaling(_ values: [Double], context: PipelineContext) throws -> (mean: Double, sd: Double) {
        // GSL's with one process; compensated sums and a centred second pass over several.
        let (_, mean, sd) = try GlobalStatistics.meanAndStandardDeviation(values, group: context.rowGroup)
        guard mean.isFinite, sd.isFinite else { throw context.error(.data, "target '\(context.data?.target.name ?? "")': its mean or standard deviation is not finite") }
        return (mean, sd > 0 ? sd : 1)
    }

    /// `network` with its identity output layer rescaled so that it predicts `mean + sd · y`: the
    /// target's original units, with no extra step at prediction (C ABI and exports included).
    public static func unscaledOutput(_ network: Network, mean: Double, sd: Double) -> Network {
        var layers = network.layers
        var last = layers[layers.count - 1]
        last.weights = Matrix(rows: last.weights.rows, columns: last.weights.columns, values: last.weights.values.map { $0 * sd })
        last.bias = (last.bias ?? Array(repeating: 0, count: last.outputCount)).map { $0 * sd + mean }
        layers[layers.count - 1] = last
        return Network(layers: layers)
    }

    /// One row per class position, with a 1 in its column (rows whose class is unknown, NaN,
    /// stay all zero: they are test rows, never trained on).
    static func oneHot(_ codes: [Double], classCount: Int) -> Matrix {
        var matrix = Matrix(rows: codes.count, columns: classCount)
        for (row, code) in codes.enumerated() where code.isFinite { matrix[row, Int(code)] = 1 }
        return matrix
    }

    private func initialNetwork(
        sizes: [Int], activations: [Activation], generator: RandomGenerator, context: PipelineContext
    ) throws -> Network {
        guard let initialWeights else {
            return Network(sizes: sizes, activations: activations, bias: bias, initialization: initialization, generator: generator)
        }
        for (index, matrix) in initialWeights.enumerated()
        where matrix.rows != sizes[index] || matrix.columns != sizes[index + 1] {
            throw context.error(.pipeline, "field 'initial_weights': layer \(index + 1) must be \(sizes[index])×\(sizes[index + 1]) ([inputs][outputs]), got \(matrix.rows)×\(matrix.columns)")
        }
        return Network(layers: zip(initialWeights, activations).map { weights, activation in
            DenseLayer(weights: weights, bias: bias ? Array(repeating: 0, count: weights.columns) : nil, activation: activation)
        })
    }

    private func trainingSummary(rows: Int, validationRows: Int, classes: [Double]?, history: TrainingHistory) -> [String: JSONValue] {
        func number(_ x: Int) -> JSONValue { .number(Double(x)) }
        var summary: [String: JSONValue] = [
            "hidden": .array(hidden.map(number)),
            "activation": Set(activations).count <= 1
                ? .string(activations.first?.rawValue ?? Activation.sigmoid.rawValue) : .array(activations.map { .string($0.rawValue) }),
            "output_activation": .string(outputActivation.rawValue),
            "loss": .string(loss.rawValue),
            "epochs": number(epochs),
            "epochs_run": number(history.epochsRun),
            "learning_rate": .number(learningRate),
            "optimizer": .string(optimizer.name),
            "batch": batchSize.map(number) ?? .string("full"),
            "bias": .bool(bias),
            "init": initialWeights != nil ? .string("explicit")
                : Set(initialization).count == 1 ? .string(initialization[0].rawValue) : .array(initialization.map { .string($0.rawValue) }),
            "l2": .number(l2),
            "seed": initialWeights == nil ? .number(Double(seed)) : .null,
            "training_rows": number(rows),
            "losses": .array(history.losses.map(\.json)),
            "precision": .string(precision.rawValue),
            "diagnostic_rows": number(history.diagnosticRows),
        ]
        if case .momentum(let beta) = optimizer { summary["momentum"] = .number(beta) }
        if validationRows > 0 {
            summary["validation_rows"] = number(validationRows)
            summary["validation_fraction"] = .number(validationFraction)
        }
        if let patience { summary["patience"] = number(patience) }
        if let best = history.bestEpoch { summary["best_epoch"] = number(best) }
        if let classes { summary["classes"] = .array(classes.map(JSONValue.number)) }
        return summary
    }
}
