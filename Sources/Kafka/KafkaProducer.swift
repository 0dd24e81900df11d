import CRdKafka
import Foundation

/// Sends messages asynchronously; `flush` waits for their delivery and reports failures.
public final class KafkaProducer {
    private let client: ClientHandle
    /// librdkafka's per-topic handles, created on first use and destroyed before the client.
    private var topics: [String: TopicHandle] = [:]

    /// A producer for the cluster at `brokers`; `config` adds or overrides librdkafka settings.
    public init(brokers: String, config: [String: String] = [:]) throws {
        let defaults = ["bootstrap.servers": brokers, "log.connection.close": "false", "log_level": "4"]
        let settings = defaults.merging(config) { _, given in given }
        client = try ClientHandle(RD_KAFKA_PRODUCER, label: "kafka producer",
                                  settings: settings.sorted { $0.key < $1.key }) { configuration in
            rd_kafka_conf_set_dr_msg_cb(configuration, deliveryReport)
        }
    }

    deinit {
        // Messages still queued would be dropped by rd_kafka_destroy.
        _ = rd_kafka_flush(client.pointer, 10_000)
        topics.removeAll()
    }

    /// Asynchronous; partition nil = librdkafka's partitioner (by key). Waits (polls) when the local queue is full.
    public func produce(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, payload: [UInt8]) throws {
        let handle = try topicHandle(topic)
        while true {
            let err = payload.withUnsafeBytes { payload in
                if let key {
                    return key.withUnsafeBytes { key in
                        crdkafka_produce_copy(handle.pointer, partition ?? crdkafka_partition_unassigned(),
                                              payload.baseAddress, payload.count, key.baseAddress, key.count)
                    }
                }
                return crdkafka_produce_copy(handle.pointer, partition ?? crdkafka_partition_unassigned(),
                                             payload.baseAddress, payload.count, nil, 0)
            }
            switch err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                // Serves delivery reports as we go, so the queue drains.
                rd_kafka_poll(client.pointer, 0)
                return
            case RD_KAFKA_RESP_ERR__QUEUE_FULL:
                rd_kafka_poll(client.pointer, 100)
            default:
                throw KafkaError("producing to \(topic)", code: err)
            }
        }
    }

    /// Waits until every message is delivered (or throws on delivery failures).
    public func flush(timeoutMillis: Int32 = 30_000) throws {
        let err = rd_kafka_flush(client.pointer, timeoutMillis)
        let failures = client.context.takeDeliveryFailures()
        if failures.count > 0 {
            throw KafkaError(message: "\(failures.count) message(s) not delivered: \(failures.first ?? "")",
                             code: RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue)
        }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError("\(rd_kafka_outq_len(client.pointer)) message(s) still undelivered after \(timeoutMillis) ms", code: err)
        }
    }

    private func topicHandle(_ name: String) throws -> TopicHandle {
        if let handle = topics[name] { return handle }
        guard let pointer = rd_kafka_topic_new(client.pointer, name, nil) else {
            throw KafkaError("opening topic \(name)", code: rd_kafka_last_error())
        }
        let handle = TopicHandle(pointer: pointer)
        topics[name] = handle
        return handle
    }
}

/// Owns one `rd_kafka_topic_t`.
private final class TopicHandle {
    let pointer: OpaquePointer
    init(pointer: OpaquePointer) { self.pointer = pointer }
    deinit { rd_kafka_topic_destroy(pointer) }
}

/// librdkafka's delivery-report callback: a plain function, since it runs inside rd_kafka_poll/flush
/// on whatever thread calls them. Only failures matter: `flush` reports them.
private func deliveryReport(_ client: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let message, let opaque, message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
    Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
        .recordDeliveryFailure("\(topic): \(errorText(message.pointee.err))")
}
