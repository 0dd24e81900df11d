import CRdKafka

/// A librdkafka failure: its message, its `rd_kafka_resp_err_t` code, and whether the client
/// instance is unusable from now on (librdkafka's fatal errors).
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    /// What failed, with librdkafka's explanation.
    public let message: String
    /// The `rd_kafka_resp_err_t` value (negative: raised by librdkafka itself; positive: by the broker).
    public let code: Int32
    /// True when librdkafka raised a fatal error: the client must be closed and recreated.
    public let isFatal: Bool

    /// An error with an explicit message, for failures detected on the Swift side too.
    public init(message: String, code: Int32 = Int32(RD_KAFKA_RESP_ERR_UNKNOWN.rawValue), isFatal: Bool = false) {
        self.message = message
        self.code = code
        self.isFatal = isFatal
    }

    /// `doing` followed by librdkafka's text for `code`.
    init(_ doing: String, code: rd_kafka_resp_err_t, isFatal: Bool = false) {
        self.init(message: "\(doing): \(errorText(code))", code: code.rawValue, isFatal: isFatal)
    }

    /// The message.
    public var description: String { message }
}

/// librdkafka's human-readable text for an error code.
func errorText(_ code: rd_kafka_resp_err_t) -> String {
    String(cString: rd_kafka_err2str(code))
}

/// The NUL-terminated text librdkafka wrote into an `errstr` buffer.
func bufferText(_ buffer: [CChar]) -> String {
    buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
