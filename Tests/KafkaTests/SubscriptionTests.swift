import Foundation
import Kafka
import XCTest

/// Subscriptions by regex, and behaviour without a reachable broker.
final class SubscriptionTests: XCTestCase {
    func testRegexSubscriptionPicksUpATopicCreatedLater() throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("test_1", partitions: 1)
        let consumer = try KafkaConsumer(brokers: cluster.bootstrapServers, group: "nightly",
                                         config: quickGroup.merging(["topic.metadata.refresh.interval.ms": "1000"]) { $1 })
        try consumer.subscribe(["^test_[0-9]+$"])
        _ = try waitForAssignment(consumer)
        XCTAssertEqual(try consumer.assignment(), [TopicPartition(topic: "test_1", partition: 0)])

        // A new night's topic, and one the regex does not match.
        try cluster.createTopic("test_20260101", partitions: 2)
        try cluster.createTopic("test_x", partitions: 1)
        try produce(4, to: "test_20260101", brokers: cluster.bootstrapServers)
        try produce(3, to: "test_x", brokers: cluster.bootstrapServers)
        let messages = try poll(consumer, count: 4, seconds: 15)
        XCTAssertEqual(messages.count, 4)
        XCTAssertEqual(Set(messages.map(\.topic)), ["test_20260101"])
        XCTAssertEqual(try poll(consumer, count: 1, seconds: 0.5).count, 0)
        XCTAssertEqual(Set(try consumer.assignment().map(\.topic)), ["test_1", "test_20260101"])
    }

    func testUnreachableBrokerGivesEmptyPollsNotErrors() throws {
        let consumer = try KafkaConsumer(brokers: "127.0.0.1:1", group: "nobody")
        try consumer.subscribe(["alerts"])
        let started = Date()
        for _ in 0..<4 { XCTAssertNil(try consumer.poll(timeoutMillis: 250)) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(try consumer.positions().count, 0)
        consumer.close()
    }

    func testUndeliverableMessagesMakeFlushThrow() throws {
        let producer = try KafkaProducer(brokers: "127.0.0.1:1", config: ["message.timeout.ms": "500"])
        try producer.produce(topic: "alerts", payload: Array("lost".utf8))
        XCTAssertThrowsError(try producer.flush(timeoutMillis: 5000)) { error in
            XCTAssert("\(error)".contains("1 message(s) not delivered"), "\(error)")
        }
        // The failure was reported once; nothing is pending any more.
        XCTAssertNoThrow(try producer.flush(timeoutMillis: 1000))
    }

    func testInvalidSettingIsReported() {
        XCTAssertThrowsError(try KafkaConsumer(brokers: "127.0.0.1:1", group: "g", config: ["no.such.setting": "1"])) { error in
            XCTAssert("\(error)".contains("no.such.setting"), "\(error)")
        }
    }
}
