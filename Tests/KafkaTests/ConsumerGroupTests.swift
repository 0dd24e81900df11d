import Foundation
import Kafka
import XCTest

/// A consumer group on librdkafka's mock cluster: every message once, commits, and rereading.
final class ConsumerGroupTests: XCTestCase {
    func testGroupReadsEachMessageOnceAndResumesFromCommittedOffsets() throws {
        let cluster = try KafkaMockCluster()
        try cluster.createTopic("alerts", partitions: 3)
        let total = 90
        let startMillis = Int64(Date().timeIntervalSince1970 * 1000)
        try produce(total, to: "alerts", brokers: cluster.bootstrapServers)

        let first = try KafkaConsumer(brokers: cluster.bootstrapServers, group: "loader", config: quickGroup)
        try first.subscribe(["alerts"])
        var read = try waitForAssignment(first)
        XCTAssertEqual(Set(try first.assignment()), Set((0..<3).map { TopicPartition(topic: "alerts", partition: $0) }))
        read += try poll(first, count: total - read.count, seconds: 10)
        // Nothing more arrives: each message was delivered exactly once.
        read += try poll(first, count: 1, seconds: 0.5)
        XCTAssertEqual(read.count, total)
        XCTAssertEqual(positions(read).values.map(\.count).reduce(0, +), total, "a (partition, offset) was read twice")
        XCTAssertEqual(positions(read).count, 3, "messages should spread over the 3 partitions by key")
        XCTAssertEqual(Set(read.map { String(decoding: $0.payload, as: UTF8.self) }),
                       Set((0..<total).map { "message-\($0)" }))
        for message in read {
            let index = String(decoding: message.payload, as: UTF8.self).dropFirst("message-".count)
            XCTAssertEqual(message.key, Array("key-\(index)".utf8))
            let timestamp = try XCTUnwrap(message.timestampMillis)
            XCTAssert(timestamp >= startMillis - 1000 && timestamp <= startMillis + 60_000, "CreateTime \(timestamp)")
        }

        // Commit the next offset to read, per partition.
        var next: [TopicPartition: Int64] = [:]
        for (partition, offsets) in positions(read) { next[partition] = offsets.max()! + 1 }
        try first.commit(next)
        let lag = try first.positions()
        XCTAssertEqual(lag.count, 3)
        for (partition, committed, high) in lag {
            XCTAssertEqual(committed, next[partition])
            XCTAssertEqual(high, next[partition], "high watermark of \(partition)")
        }
        first.close()
        first.close()
        XCTAssertThrowsError(try first.poll(timeoutMillis: 0))

        // Same group: resumes after the commit, so nothing new. A new group: everything again.
        // Both join at once, which keeps the mock coordinator's join delays concurrent.
        let again = try KafkaConsumer(brokers: cluster.bootstrapServers, group: "loader", config: quickGroup)
        let other = try KafkaConsumer(brokers: cluster.bootstrapServers, group: "reviewer", config: quickGroup)
        try again.subscribe(["alerts"])
        try other.subscribe(["alerts"])
        var reread: [KafkaMessage] = []
        var rereadOther: [KafkaMessage] = []
        let deadline = Date().addingTimeInterval(15)
        while try rereadOther.count < total || again.assignment().isEmpty, Date() < deadline {
            if let message = try again.poll(timeoutMillis: 100) { reread.append(message) }
            if let message = try other.poll(timeoutMillis: 100) { rereadOther.append(message) }
        }
        XCTAssertEqual(try again.assignment().count, 3)
        reread += try poll(again, count: 1, seconds: 1)
        XCTAssertEqual(reread.count, 0, "the committed offsets should have been resumed from")
        XCTAssertEqual(rereadOther.count, total)
        XCTAssertEqual(positions(rereadOther), positions(read))
    }
}
