import CRdKafka

/// Owns one `rd_kafka_topic_partition_list_t`: the argument and result type of subscribe,
/// commit, assignment and committed-offset queries.
final class TopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// An empty list.
    init(capacity: Int = 8) {
        pointer = rd_kafka_topic_partition_list_new(Int32(capacity))
    }

    /// Takes ownership of a list librdkafka allocated for the caller.
    init(adopting pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    /// Appends `topic/partition` with `offset` (librdkafka's "invalid" offset by default).
    func add(topic: String, partition: Int32, offset: Int64 = Int64(RD_KAFKA_OFFSET_INVALID)) {
        let element = rd_kafka_topic_partition_list_add(pointer, topic, partition)
        element?.pointee.offset = offset
    }

    /// The elements: partition, offset and per-partition error.
    var entries: [(TopicPartition, offset: Int64, error: rd_kafka_resp_err_t)] {
        let list = pointer.pointee
        guard let elements = list.elems else { return [] }
        return (0..<Int(list.cnt)).map { index in
            let element = elements[index]
            return (TopicPartition(topic: String(cString: element.topic), partition: element.partition),
                    element.offset, element.err)
        }
    }

    /// The number of elements.
    var count: Int { Int(pointer.pointee.cnt) }
}
