/// The agreement points of a run over several processes.
extension Pipeline {
    /// Runs `step`, then has every process of `group` agree on whether it failed anywhere: when
    /// any process failed, all throw the error of the lowest failing rank (see
    /// `ProcessGroup.agree(_:)`), so no rank waits forever in a later collective.
    ///
    /// A process alone rethrows its own error untouched. An error that is not a `BackpropError`
    /// (a bug, not bad input) is passed on as a pipeline error naming the file.
    func agreeing(_ group: any ProcessGroup, _ step: () throws -> Void) throws {
        var failure: BackpropError?
        do {
            try step()
        } catch let error as BackpropError {
            if group.size == 1 { throw error }
            failure = error
        } catch {
            if group.size == 1 { throw error }
            failure = BackpropError(.pipeline, "\(file.relativePath): \(error)")
        }
        try group.agree(failure)
    }
}
