import CRdKafka
import Foundation
import Synchronization

/// A member of a consumer group (librdkafka's high-level KafkaConsumer) that commits offsets
/// only when told to, so a message counts as consumed only once the caller has stored it.
///
/// `poll` and `close` belong to one thread; the other methods may be called from any thread
/// (librdkafka's calls are thread-safe, and the one Swift flag is locked).
public final class KafkaConsumer: Sendable {
    /// Settings applied before the caller's `config`.
    static func defaultSettings(brokers: String, group: String) -> [String: String] {
        [
            "bootstrap.servers": brokers,
            "group.id": group,
            // Offsets are committed by `commit`, after the caller has stored the batch.
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "auto.offset.reset": "earliest",
            // Regex subscriptions see a new topic (a new night's) only at a metadata refresh.
            "topic.metadata.refresh.interval.ms": "5000",
            // librdkafka 2's default, 45 s, holds every rebalance on the mock cluster (a new topic, a member
            // leaving) for that long; 10 s (Kafka's earlier default) still rides out short stalls.
            "session.timeout.ms": "10000",
            // Brokers close idle connections routinely: not worth a line on stderr.
            "log.connection.close": "false",
            "log_level": "4",
        ]
    }

    private let client: ClientHandle
    private let closed = Mutex(false)

    /// enable.auto.commit=false, auto.offset.reset=earliest unless `config` says otherwise.
    public init(brokers: String, group: String, config: [String: String] = [:]) throws {
        let settings = Self.defaultSettings(brokers: brokers, group: group).merging(config) { _, given in given }
        client = try ClientHandle(RD_KAFKA_CONSUMER, label: "kafka consumer",
                                  settings: settings.sorted { $0.key < $1.key })
        // One rd_kafka_consumer_poll then serves messages, rebalances and errors alike.
        let err = rd_kafka_poll_set_consumer(client.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("redirecting the consumer queue", code: err) }
    }

    deinit { close() }

    /// Topic names, or regexes starting with "^" (librdkafka's convention).
    public func subscribe(_ topics: [String]) throws {
        let list = TopicPartitionList(capacity: topics.count)
        for topic in topics { list.add(topic: topic, partition: crdkafka_partition_unassigned()) }
        let err = rd_kafka_subscribe(client.pointer, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError("subscribing to \(topics.joined(separator: ","))", code: err)
        }
    }

    /// The next message, or nil when none arrived within the timeout. Partition EOF and transient
    /// broker errors are not returned as messages (transient errors are logged to stderr once, retried by librdkafka).
    public func poll(timeoutMillis: Int32) throws -> KafkaMessage? {
        try ensureOpen()
        // Errors other than a message's come through the error callback, during this call.
        let polled = rd_kafka_consumer_poll(client.pointer, timeoutMillis)
        defer { if let polled { rd_kafka_message_destroy(polled) } }
        if client.context.fatalRaised { throw fatalClientError() }
        guard let message = polled else { return nil }
        let err = message.pointee.err
        switch err {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            return KafkaMessage(copying: message)
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            return nil
        case RD_KAFKA_RESP_ERR__FATAL:
            throw fatalClientError()
        default:
            // librdkafka recovers from everything else by itself (reconnects, retries, metadata refreshes).
            client.context.reportError(err, String(cString: rd_kafka_message_errstr(message)))
            return nil
        }
    }

    /// Synchronously commits `offsets` (the NEXT offset to read per partition, i.e. last processed + 1).
    public func commit(_ offsets: [TopicPartition: Int64]) throws {
        try ensureOpen()
        guard !offsets.isEmpty else { return }
        let list = TopicPartitionList(capacity: offsets.count)
        for (partition, offset) in offsets { list.add(topic: partition.topic, partition: partition.partition, offset: offset) }
        let err = rd_kafka_commit(client.pointer, list.pointer, 0)
        if err == RD_KAFKA_RESP_ERR__FATAL { throw fatalClientError() }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("committing offsets", code: err) }
        if let failed = list.entries.first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            throw KafkaError("committing offset \(failed.offset) of \(failed.0)", code: failed.error)
        }
    }

    /// Partitions currently assigned to this member.
    public func assignment() throws -> [TopicPartition] {
        try assignmentList().entries.map(\.0)
    }

    /// For each assigned partition: committed offset and high watermark (cached from fetches: rd_kafka_get_watermark_offsets), for lag.
    /// The committed offsets come from the group coordinator (one request, at most 5 s).
    public func positions() throws -> [(TopicPartition, committed: Int64?, high: Int64?)] {
        let list = try assignmentList()
        guard list.count > 0 else { return [] }
        let err = rd_kafka_committed(client.pointer, list.pointer, 5000)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("reading committed offsets", code: err) }
        return list.entries.map { entry in
            var low: Int64 = 0
            var high: Int64 = 0
            let known = rd_kafka_get_watermark_offsets(client.pointer, entry.0.topic, entry.0.partition, &low, &high)
            return (entry.0,
                    committed: entry.error == RD_KAFKA_RESP_ERR_NO_ERROR && entry.offset >= 0 ? entry.offset : nil,
                    high: known == RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0 ? high : nil)
        }
    }

    /// Leaves the group cleanly (rd_kafka_consumer_close); idempotent; also done in deinit.
    public func close() {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        if !wasClosed { _ = rd_kafka_consumer_close(client.pointer) }
    }

    private func assignmentList() throws -> TopicPartitionList {
        try ensureOpen()
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(client.pointer, &pointer)
        // Even on failure the list may have been allocated: adopt it first so it is freed.
        let list = pointer.map(TopicPartitionList.init(adopting:))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("reading the assignment", code: err) }
        return list ?? TopicPartitionList(capacity: 0)
    }

    private func ensureOpen() throws {
        if closed.withLock({ $0 }) {
            throw KafkaError(message: "the Kafka consumer is closed", code: RD_KAFKA_RESP_ERR__STATE.rawValue)
        }
    }

    /// The client's fatal error, which makes it unusable.
    private func fatalClientError() -> KafkaError {
        var reason = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(client.pointer, &reason, reason.count)
        return KafkaError(message: "fatal Kafka error: \(bufferText(reason))", code: code.rawValue, isFatal: true)
    }
}
