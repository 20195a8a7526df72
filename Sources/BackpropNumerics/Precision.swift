/// The floating-point precision training computes in.
public enum Precision: String, CaseIterable, Codable, Sendable {
    /// Double precision (the default; the reference's arithmetic).
    case float64
    /// Single precision: float32 buffers and `sgemm`; the model's weights stay doubles.
    case float32
}
