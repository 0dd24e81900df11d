import Avro
import Foundation
import Kafka
import Model
import Store

/// `alertdb consume`: loads alerts from Kafka topics with the same decoder and loader as
/// `alertdb ingest`, committing each batch's offsets only after its transaction committed.
///
/// Delivery is at least once: a crash between the database commit and the offset commit
/// hands the batch out again, and the loader recognises its alerts as duplicates (by candid),
/// so nothing is lost and nothing is stored twice. A rebalance does the same for messages a
/// member had polled but not committed.
public struct StreamIngest: Sendable {
    public struct Options: Sendable {
        /// Messages per transaction at most.
        public var batchSize = 500
        /// A batch is stored at the latest this long after its first message.
        public var batchSeconds = 1.0
        /// Encoded bytes per batch at most.
        public var batchBytes = 24 << 20
        /// Exit once no message arrived for this long since partitions were assigned (nil: run
        /// until stopped). Joining a group takes seconds, so the wait starts at the assignment.
        public var idleExit: Double?
        /// The writer schema of messages in the Confluent wire format (magic byte, schema id, datum).
        public var wireSchema: AvroSchema?
        /// The schema registry that resolves the schema ids of other framed messages (nil:
        /// Rubin's schemas bundled with alertdb).
        public var schemaRegistry: String?

        public init() {}
    }

    /// librdkafka settings of alertdb's consumer, under the operator's own (`--kafka`).
    ///
    /// An alert is 50–80 kB, so librdkafka's default prefetch queue (64 MB) holds only about a
    /// thousand of them: a consumer catching up drained it faster than one broker connection
    /// refilled it, and stored 1,900–2,600 alerts/s where file ingest stores 3,700–4,600. With
    /// 256 MB of prefetch, fetched 16 MB at a time so that refills overlap the draining, it
    /// keeps pace with file ingest (Docs/consume.md), for about 300 MB more memory while it
    /// catches up; a consumer that keeps up holds little.
    public static let consumerSettings = [
        "queued.max.messages.kbytes": "262144",
        "fetch.max.bytes": "16777216",
    ]

    public let database: String
    public var options = Options()
    public let metrics: StreamMetrics

    public init(database: String, metrics: StreamMetrics = StreamMetrics()) {
        self.database = database
        self.metrics = metrics
    }

    /// Consumes until `stop` is set (or the stream stays idle for `idleExit`), then stores and
    /// commits what it holds and leaves the group.
    ///
    /// On a `Pipeline`: a thread of its own polls and decodes messages into batches, this one
    /// stores each batch and commits its offsets while the next is being decoded.
    public func run(_ consumer: KafkaConsumer, stop: StopSignal) throws -> IngestSummary {
        let start = Date()
        var store = try StreamStore(database: database, metrics: metrics, stop: stop)
        // Lag is read when metrics are scraped: asking the coordinator for committed offsets
        // takes a round trip per call, which the polling thread must not wait for.
        metrics.watch(consumer)
        defer {
            // The pipeline has ended its polling thread by now: the consumer leaves the group from this one.
            metrics.watch(nil)
            consumer.close()
        }
        let reader = StreamReader(consumer: consumer, database: database, options: options, stop: stop)
        var summary = IngestSummary()
        do {
            try Pipeline<PendingBatch>.run(capacity: 2, produce: { pipeline in
                try reader.run(into: pipeline)
            }, consume: { pending in
                try store.save(pending, consumer: consumer, summary: &summary)
            })
        } catch {
            summary.seconds = Date().timeIntervalSince(start)
            throw IngestInterrupted(summary: summary, reason: error)
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}

/// Messages read but not yet stored: their rows, and per partition the offset to commit.
struct PendingBatch: Sendable {
    var batch = AlertBatch()
    var offsets: [TopicPartition: Int64] = [:]
    var timestamps: [Int64] = []
    var count = 0
    var started: Date?

    var isEmpty: Bool { count == 0 }
    var age: Double { started.map { Date().timeIntervalSince($0) } ?? 0 }

    mutating func add(_ message: KafkaMessage, outcomes: [PacketDecoder.Outcome]) {
        if started == nil { started = Date() }
        count += 1
        batch.append(contentsOf: outcomes)
        let partition = TopicPartition(topic: message.topic, partition: message.partition)
        offsets[partition] = max(offsets[partition] ?? 0, message.offset + 1)
        if let timestamp = message.timestampMillis { timestamps.append(timestamp) }
    }
}
