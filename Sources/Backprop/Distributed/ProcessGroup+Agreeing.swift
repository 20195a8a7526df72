extension ProcessGroup {
    /// Runs a step that can fail on some processes only, before collectives every process must
    /// reach: when it fails anywhere, every process throws the lowest failing rank's error
    /// (a process alone throws its own error untouched).
    func agreeing<Result>(_ step: () throws -> Result) throws -> Result {
        guard size > 1 else { return try step() }
        var result: Result?, failure: BackpropError?
        do {
            result = try step()
        } catch let error as BackpropError {
            failure = error
        } catch {
            failure = BackpropError(.data, "\(error)")
        }
        try agree(failure)
        guard let result else { throw BackpropError(.pipeline, "a step ended with neither a result nor an error") }
        return result
    }
}
