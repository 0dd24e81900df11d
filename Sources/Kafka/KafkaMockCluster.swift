import CRdKafka

/// librdkafka's mock cluster: a Kafka-protocol cluster on loopback, usable by other processes.
/// It lives in this process, served by librdkafka's threads, until the object is released.
/// Each partition keeps only its last ~5 MB of messages (librdkafka's fixed limit for the mock).
public final class KafkaMockCluster {
    /// librdkafka hangs a mock cluster on a client instance; this one serves only that purpose.
    private let client: ClientHandle
    private let cluster: OpaquePointer

    /// Starts `brokers` brokers on free loopback ports.
    public init(brokers: Int = 1) throws {
        client = try ClientHandle(RD_KAFKA_PRODUCER, label: "kafka mock cluster", settings: [("log_level", "4")])
        guard let cluster = rd_kafka_mock_cluster_new(client.pointer, Int32(brokers)) else {
            throw KafkaError(message: "cannot start a mock Kafka cluster of \(brokers) broker(s)")
        }
        self.cluster = cluster
    }

    deinit { rd_kafka_mock_cluster_destroy(cluster) }

    /// The brokers' addresses, `HOST:PORT[,...]`, for `bootstrap.servers`.
    public var bootstrapServers: String { String(cString: rd_kafka_mock_cluster_bootstraps(cluster)) }

    /// Creates `name` with `partitions` partitions.
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        let err = rd_kafka_mock_topic_create(cluster, name, partitions, replicationFactor)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError("creating topic \(name)", code: err) }
    }
}
