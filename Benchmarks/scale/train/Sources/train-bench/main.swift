// Times full-batch training of the 32-64-1 sigmoid network on the raw scale data (make_raw.py).
//   train-bench DATA ROWS step float64|float32 THREADS EPOCHS   seconds per epoch, peak RSS
//   train-bench DATA ROWS gemm float64|float32                  the step's two big GEMMs alone, one thread
//   train-bench DATA ROWS gflops float64|float32                one thread's GEMM speed on 1536² matrices
//   train-bench DATA ROWS accuracy EPOCHS                       held-out accuracy, float64 vs float32
import BackpropNumerics
import Glibc

func fail(_ message: String) -> Never {
    print("train-bench: \(message)")
    exit(2)
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// `x` rounded to `places` decimals, as text.
func fixed(_ x: Double, _ places: Int) -> String {
    let scale = pow(10, Double(places))
    return String((x * scale).rounded() / scale)
}

func peakMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func readDoubles(_ path: String, count: Int) -> [Double] {
    guard let file = fopen(path, "rb") else { fail("cannot open \(path)") }
    defer { fclose(file) }
    var values = [Double](repeating: 0, count: count)
    let read = values.withUnsafeMutableBufferPointer { fread($0.baseAddress, 8, count, file) }
    guard read == count else { fail("\(path): expected \(count) values, read \(read)") }
    return values
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let rows = Int(arguments[2]), rows > 0 else { fail("usage: DATA ROWS step|gemm|accuracy …") }
let data = arguments[1], mode = arguments[3]
let inputs = Matrix(rows: rows, columns: 32, values: readDoubles(data + ".x", count: rows * 32))
let targets = Matrix(rows: rows, columns: 1, values: readDoubles(data + ".t", count: rows))

func network(seed: UInt64) -> Network {
    Network(sizes: [32, 64, 1], activations: [.sigmoid, .sigmoid], bias: true,
            initialization: [.normal, .normal], generator: RandomGenerator(seed: seed))
}

switch mode {
case "step":
    guard arguments.count == 7, let precision = Precision(rawValue: arguments[4]),
          let threads = Int(arguments[5]), let epochs = Int(arguments[6]) else { fail("step float64|float32 THREADS EPOCHS") }
    var n = network(seed: 1)
    let configuration = TrainingConfiguration(
        epochs: epochs, learningRate: 0.5, loss: .binaryCrossEntropy, precision: precision, threads: threads,
        blockRows: Int(getenv("BLOCK_ROWS").map { String(cString: $0) } ?? "") ?? 4_096)
    var stamps = [now()]
    _ = try Trainer(configuration: configuration).train(
        &n, rows: MatrixRows(inputs: inputs, targets: targets), generator: RandomGenerator(seed: 2),
        onEpoch: { _ in stamps.append(now()) }, onRecord: { _ in })
    let epochSeconds = zip(stamps.dropFirst(), stamps).map { $0 - $1 }
    // The first interval also holds the pass at the starting weights.
    print(epochSeconds.map { fixed($0, 4) }.joined(separator: " "), "peak_mib=\(Int(peakMiB()))")
case "gemm":
    guard arguments.count == 5, let precision = Precision(rawValue: arguments[4]) else { fail("gemm float64|float32") }
    BLAS.threadCount = 1
    let g = RandomGenerator(seed: 3)
    let w = (0..<(32 * 64)).map { _ in g.gaussian(standardDeviation: 0.2) }
    let delta = (0..<(rows * 64)).map { _ in g.gaussian(standardDeviation: 0.01) }
    var best = Double.infinity
    func time(_ body: () -> Void) { for _ in 0..<3 { let start = now(); body(); best = min(best, now() - start) } }
    if precision == .float64 {
        var z = [Double](repeating: 0, count: rows * 64), gradient = [Double](repeating: 0, count: 32 * 64)
        time {
            // z = x · W1, then ∂W1 = xᵀ · δ1: the two products of a step that touch every row.
            BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: 64, k: 32, alpha: 1, a: inputs.values, lda: 32, b: w, ldb: 64, beta: 0, c: &z, ldc: 64)
            BLAS.gemm(transposeA: true, transposeB: false, m: 32, n: 64, k: rows, alpha: 1, a: inputs.values, lda: 32, b: delta, ldb: 64, beta: 0, c: &gradient, ldc: 64)
        }
    } else {
        let x = inputs.values.map(Float.init), wf = w.map(Float.init), df = delta.map(Float.init)
        var z = [Float](repeating: 0, count: rows * 64), gradient = [Float](repeating: 0, count: 32 * 64)
        time {
            BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: 64, k: 32, alpha: 1, a: x, lda: 32, b: wf, ldb: 64, beta: 0, c: &z, ldc: 64)
            BLAS.gemm(transposeA: true, transposeB: false, m: 32, n: 64, k: rows, alpha: 1, a: x, lda: 32, b: df, ldb: 64, beta: 0, c: &gradient, ldc: 64)
        }
    }
    print(fixed(best, 4))
case "gflops":
    guard arguments.count == 5, let precision = Precision(rawValue: arguments[4]) else { fail("gflops float64|float32") }
    BLAS.threadCount = 1
    let size = 1536
    let g = RandomGenerator(seed: 4)
    let a = (0..<(size * size)).map { _ in g.uniform() }
    var best = Double.infinity
    if precision == .float64 {
        var c = [Double](repeating: 0, count: size * size)
        for _ in 0..<3 {
            let start = now()
            BLAS.gemm(transposeA: false, transposeB: false, m: size, n: size, k: size, alpha: 1, a: a, lda: size, b: a, ldb: size, beta: 0, c: &c, ldc: size)
            best = min(best, now() - start)
        }
    } else {
        let af = a.map(Float.init)
        var c = [Float](repeating: 0, count: size * size)
        for _ in 0..<3 {
            let start = now()
            BLAS.gemm(transposeA: false, transposeB: false, m: size, n: size, k: size, alpha: 1, a: af, lda: size, b: af, ldb: size, beta: 0, c: &c, ldc: size)
            best = min(best, now() - start)
        }
    }
    print(fixed(2 * pow(Double(size), 3) / best / 1e9, 2))
case "accuracy":
    guard arguments.count == 5, let epochs = Int(arguments[4]) else { fail("accuracy EPOCHS") }
    let trainRows = rows * 4 / 5
    let train = MatrixRows(inputs: inputs.rows(at: Array(0..<trainRows)), targets: targets.rows(at: Array(0..<trainRows)))
    let test = (inputs.rows(at: Array(trainRows..<rows)), targets.rows(at: Array(trainRows..<rows)))
    var results = [String]()
    for precision in Precision.allCases {
        var n = network(seed: 1)
        let configuration = TrainingConfiguration(
            epochs: epochs, learningRate: 0.01, loss: .binaryCrossEntropy, optimizer: .adam(), precision: precision)
        let history = try Trainer(configuration: configuration).train(&n, rows: train, generator: RandomGenerator(seed: 2), onRecord: { _ in })
        let predictions = n.predict(test.0)
        let correct = zip(predictions.values, test.1.values).filter { ($0 >= 0.5 ? 1.0 : 0.0) == $1 }.count
        let accuracy = Double(correct) / Double(test.1.rows)
        results.append("\(precision.rawValue) loss \(history.records.last!.loss) test_accuracy \(accuracy)")
    }
    print(results.joined(separator: " | "))
default:
    fail("unknown mode \(mode)")
}
