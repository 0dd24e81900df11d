import CRdKafka

/// Owns one `rd_kafka_t` (a producer or consumer instance) and the context its callbacks use.
/// Sendable by librdkafka's contract: its calls on one instance are thread-safe, and the
/// pointer never changes while this object lives.
final class ClientHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Kept alive as long as `pointer`: librdkafka's callbacks reach it through the opaque pointer.
    let context: ClientContext

    /// Creates the client from `settings` (applied in order, so later ones win).
    /// `configure` adds callbacks to the configuration before librdkafka takes it over.
    init(_ type: rd_kafka_type_t, label: String, settings: [(String, String)],
         configure: (OpaquePointer) -> Void = { _ in }) throws {
        context = ClientContext(label: label)
        let configuration = try Configuration(settings)
        rd_kafka_conf_set_opaque(configuration.pointer, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(configuration.pointer, logCallback)
        rd_kafka_conf_set_error_cb(configuration.pointer, errorCallback)
        configure(configuration.pointer)
        pointer = try configuration.createClient(type)
    }

    deinit { rd_kafka_destroy(pointer) }
}

/// Owns an `rd_kafka_conf_t` until `rd_kafka_new` takes it over (it frees it only on success).
private final class Configuration {
    let pointer: OpaquePointer
    private var handedOver = false

    /// Applies `settings` in order; on failure deinit frees the configuration.
    init(_ settings: [(String, String)]) throws {
        pointer = rd_kafka_conf_new()
        for (name, value) in settings {
            var reason = [CChar](repeating: 0, count: 512)
            if rd_kafka_conf_set(pointer, name, value, &reason, reason.count) != RD_KAFKA_CONF_OK {
                throw KafkaError(message: "setting \(name)=\(value): \(bufferText(reason))",
                                 code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue)
            }
        }
    }

    /// Creates the client; from then on librdkafka owns the configuration.
    func createClient(_ type: rd_kafka_type_t) throws -> OpaquePointer {
        var reason = [CChar](repeating: 0, count: 512)
        guard let client = rd_kafka_new(type, pointer, &reason, reason.count) else {
            throw KafkaError(message: "creating the Kafka client: \(bufferText(reason))",
                             code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue)
        }
        handedOver = true
        return client
    }

    deinit { if !handedOver { rd_kafka_conf_destroy(pointer) } }
}
