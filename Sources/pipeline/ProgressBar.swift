import Backprop
import FoundationEssentials
import Glibc
import Synchronization

/// A one-line progress bar on a terminal: `[#####-----] epoch 450/900  loss 0.2254  1.2 s left`.
/// While a CSV file is read: `[#####-----] reading 120/306 MB  2.1 s left`.
/// Log lines are printed above it. Redraws at most every 50 ms. Training calls it on the one
/// thread that runs the pipeline; ingest calls `reading` from its parsing threads, under a lock.
final class ProgressBar: @unchecked Sendable {
    private let readingLock = Mutex(())
    private var readingStart: Date?
    private var start = Date()
    private var lastDraw = Date.distantPast
    private var lastLoss: String?
    private var shown = false
    private var current: TrainingProgress?

    /// Prints `line` above the bar, remembering the last training loss it reports.
    func log(_ line: String) {
                clear()
        print(line)
        if line.hasPrefix("Train loss: ") {
            lastLoss = line.dropFirst("Train loss: ".count).split(separator: " ").first.map(String.init)
        }
        if let current, current.epoch < current.epochs { draw(current) }
        fflush(nil)  // all streams: `stdout` is not concurrency-safe to name in Swift 6
    }

    /// Moves the bar to `progress`.
    func update(_ progress: TrainingProgress) {
                if progress.epoch == 1 || current.map({ $0.epochs != progress.epochs || progress.epoch < $0.epoch }) ?? true {
            start = Date()
            lastLoss = nil
        }
        current = progress
        let now = Date()
        if progress.epoch == progress.epochs {
            clear()
        } else if now.timeIntervalSince(lastDraw) >= 0.05 {
            draw(progress)
            lastDraw = now
        }
        fflush(nil)  // all streams: `stdout` is not concurrency-safe to name in Swift 6
    }

    /// Shows how much of a CSV file has been read (called from any thread).
    func reading(_ bytes: Int, of total: Int) {
        readingLock.withLock { _ in
            let now = Date()
            if readingStart == nil { readingStart = now }
            if bytes >= total {
                clear()
                readingStart = nil
            } else if now.timeIntervalSince(lastDraw) >= 0.05 {
                let width = 30
                let share = Double(bytes) / Double(max(total, 1))
                let filled = min(width, Int(share * Double(width)))
                let elapsed = now.timeIntervalSince(readingStart ?? now)
                var text = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
                text += cFormat(" reading %.0f/%.0f MB", Double(bytes) / 1e6, Double(total) / 1e6)
                if share > 0.02 { text += cFormat("  %.1f s left", elapsed / share - elapsed) }
                print("\r\u{1B}[2K" + text, terminator: "")
                shown = true
                lastDraw = now
            }
            fflush(nil)
        }
    }

    /// Removes the bar.
    func finish() {
                clear()
        fflush(nil)  // all streams: `stdout` is not concurrency-safe to name in Swift 6
    }

    private func clear() {
        if shown { print("\r\u{1B}[2K", terminator: "") }
        shown = false
    }

    private func draw(_ progress: TrainingProgress) {
        let width = 30
        let share = Double(progress.epoch) / Double(max(progress.epochs, 1))
        let filled = Int(share * Double(width))
        let elapsed = Date().timeIntervalSince(start)
        let left = share > 0 ? elapsed / share - elapsed : 0
        var text = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
        text += " epoch \(progress.epoch)/\(progress.epochs)"
        if let lastLoss { text += "  loss \(lastLoss.prefix(8))" }
        text += cFormat("  %.1f s left", left)
        print("\r\u{1B}[2K" + text, terminator: "")
        shown = true
    }
}
