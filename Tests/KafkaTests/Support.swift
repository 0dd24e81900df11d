import Foundation
import Kafka
import XCTest

/// The mock coordinator holds a rebalance of a live group for the session timeout less 1 s
/// (waiting for members that might rejoin): a short timeout keeps these tests quick.
let quickGroup = ["session.timeout.ms": "3000", "heartbeat.interval.ms": "500"]

/// Polls `consumer` until `count` messages arrived or `seconds` passed.
func poll(_ consumer: KafkaConsumer, count: Int, seconds: Double) throws -> [KafkaMessage] {
    var messages: [KafkaMessage] = []
    let deadline = Date().addingTimeInterval(seconds)
    while messages.count < count, Date() < deadline {
        if let message = try consumer.poll(timeoutMillis: 200) { messages.append(message) }
    }
    return messages
}

/// Polls `consumer` until it has been assigned partitions (the mock coordinator's first join takes about 3 s).
func waitForAssignment(_ consumer: KafkaConsumer, seconds: Double = 15) throws -> [KafkaMessage] {
    var messages: [KafkaMessage] = []
    let deadline = Date().addingTimeInterval(seconds)
    while try consumer.assignment().isEmpty {
        guard Date() < deadline else { XCTFail("no partitions assigned within \(seconds) s"); break }
        if let message = try consumer.poll(timeoutMillis: 200) { messages.append(message) }
    }
    return messages
}

/// Produces `count` messages `message-I` with keys `key-I` to `topic`, and waits for their delivery.
func produce(_ count: Int, to topic: String, brokers: String) throws {
    let producer = try KafkaProducer(brokers: brokers)
    for index in 0..<count {
        try producer.produce(topic: topic, key: Array("key-\(index)".utf8), payload: Array("message-\(index)".utf8))
    }
    try producer.flush()
}

/// The (partition, offset) of each message: unique per message of one topic.
func positions(_ messages: [KafkaMessage]) -> [TopicPartition: Set<Int64>] {
    var result: [TopicPartition: Set<Int64>] = [:]
    for message in messages {
        result[TopicPartition(topic: message.topic, partition: message.partition), default: []].insert(message.offset)
    }
    return result
}
