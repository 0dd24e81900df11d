import CRdKafka

/// One message read from a partition, copied out of librdkafka's buffers.
public struct KafkaMessage: Sendable {
    /// The topic it was read from.
    public let topic: String
    /// The partition it was read from.
    public let partition: Int32
    /// Its offset within the partition.
    public let offset: Int64
    /// The message's timestamp (producer CreateTime or broker LogAppendTime), ms since 1970.
    public let timestampMillis: Int64?
    /// The key, if the producer set one.
    public let key: [UInt8]?
    /// The value (empty for a null value).
    public let payload: [UInt8]

    /// Copies a message that carries no error; librdkafka keeps ownership of `message`.
    init(copying message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let fields = message.pointee
        topic = fields.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        partition = fields.partition
        offset = fields.offset
        var kind = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &kind)
        timestampMillis = kind == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0 ? nil : timestamp
        key = fields.key.map { Array(UnsafeRawBufferPointer(start: $0, count: fields.key_len)) }
        payload = fields.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: fields.len)) } ?? []
    }
}

/// A partition of a topic.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    /// The topic's name.
    public let topic: String
    /// The partition's number within the topic.
    public let partition: Int32

    /// A partition of `topic`.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic/partition`, as in log lines.
    public var description: String { "\(topic)/\(partition)" }
}
