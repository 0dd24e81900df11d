import Avro
import Foundation
import Kafka
import Postgres

/// `alertdb consume`: loads alerts from Kafka topics with the same decoder and loader as
/// `alertdb ingest`, committing each batch's offsets only after its transaction committed.
///
/// Delivery is at least once: a crash between the database commit and the offset commit
/// hands the batch out again, and the loader recognises its alerts as duplicates (by candid),
/// so nothing is lost and nothing is stored twice. A rebalance does the same for messages a
/// member had polled but not committed.
public struct StreamIngest {
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

        public init() {}
    }

    public let database: String
    public var options = Options()
    public let metrics: StreamMetrics

    public init(database: String, metrics: StreamMetrics = StreamMetrics()) {
        self.database = database
        self.metrics = metrics
    }

    /// Consumes until `stop` is set (or the stream stays idle for `idleExit`), then stores and
    /// commits what it holds and leaves the group.
    public func run(_ consumer: KafkaConsumer, stop: StopSignal) throws -> Ingest.Summary {
        let start = Date()
        var store = try StreamStore(database: database, metrics: metrics)
        let wireReader = try options.wireSchema.map { try DatumReader(schema: $0) }
        var pending = PendingBatch()
        var lastMessage = Date()
        var assigned = false
        var lagRead = Date.distantPast
        var summary = Ingest.Summary()
        defer { consumer.close() }

        while !stop.isSet {
            if let message = try consumer.poll(timeoutMillis: 100) {
                lastMessage = Date()
                pending.add(message, outcomes: try store.decode(message, wireReader: wireReader))
            } else if !assigned {
                assigned = !((try? consumer.assignment()) ?? []).isEmpty
                lastMessage = Date()
            } else if let idleExit = options.idleExit, pending.isEmpty, Date().timeIntervalSince(lastMessage) >= idleExit {
                break
            }
            if pending.count >= options.batchSize || pending.batch.byteCount >= options.batchBytes
                || pending.age >= options.batchSeconds {
                try store.save(&pending, consumer: consumer, summary: &summary, stop: stop)
            }
            if stop.isSet { break }
            if Date().timeIntervalSince(lagRead) >= 5 {
                metrics.refreshLag(consumer)
                lagRead = Date()
            }
        }
        try store.save(&pending, consumer: consumer, summary: &summary, stop: nil)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}

/// Set from a signal handler's thread; read by the consuming loop.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    public init() {}
    public var isSet: Bool { lock.lock(); defer { lock.unlock() }; return set }
    public func stop() { lock.lock(); set = true; lock.unlock() }
}

/// Messages read but not yet stored: their rows, and per partition the offset to commit.
struct PendingBatch {
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
        for outcome in outcomes {
            switch outcome {
            case .alert(let alert): batch.append(alert)
            case .rejected(let reject): batch.append(reject)
            }
        }
        let partition = TopicPartition(topic: message.topic, partition: message.partition)
        offsets[partition] = max(offsets[partition] ?? 0, message.offset + 1)
        if let timestamp = message.timestampMillis { timestamps.append(timestamp) }
    }
}

/// The database side: decoding (with its own schema connection) and storing with retries.
struct StreamStore {
    let database: String
    let metrics: StreamMetrics
    private let columns: StoreColumns
    private var loader: AlertLoader
    private let decoder: PacketDecoder

    init(database: String, metrics: StreamMetrics) throws {
        self.database = database
        self.metrics = metrics
        let db = try Connection(database)
        columns = try StoreColumns.read(from: db)
        loader = try AlertLoader(db: db, columns: columns)
        let registry = SchemaRegistry(db: try Connection(database))
        decoder = PacketDecoder(columns: columns, registerSchema: registry.register)
    }

    /// A message as alerts or a reject named by its coordinates in the stream.
    func decode(_ message: KafkaMessage, wireReader: DatumReader?) throws -> [PacketDecoder.Outcome] {
        let source = "kafka:\(message.topic)/\(message.partition)@\(message.offset)"
        let bytes = message.payload
        if let wireReader, bytes.count > 5, bytes[0] == 0 {
            return [try decoder.decode(datum: bytes[5...], with: wireReader, source: source, bytes: bytes)]
        }
        return try decoder.decode(bytes, source: source)
    }

    /// Stores the batch (retrying with backoff while the database is unreachable), then
    /// commits its offsets. A commit refused because the partitions moved to another member
    /// is not an error: that member reads them again, and they load as duplicates.
    mutating func save(_ pending: inout PendingBatch, consumer: KafkaConsumer, summary: inout Ingest.Summary,
                       stop: StopSignal?) throws {
        // `stop` is not consulted: a batch read is always stored and committed before exiting.
        guard !pending.isEmpty else { return }
        var delay = 0.5
        let counts: LoadCounts
        while true {
            do {
                counts = try loader.load(pending.batch)
                break
            } catch let error as PostgresError where error.isConnectionFailure {
                log("database unavailable (\(error.message)); retrying in \(delay) s")
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 30)
                if let reconnected = try? AlertLoader(db: try Connection(database), columns: columns) {
                    loader = reconnected
                }
            }
        }
        summary.counts += counts
        do {
            try consumer.commit(pending.offsets)
        } catch {
            log("offsets not committed (\(error)); the messages will be read again and load as duplicates")
        }
        summary.read += pending.count
        metrics.recordBatch(messages: pending.count, counts: counts, timestamps: pending.timestamps)
        pending = PendingBatch()
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("alertdb consume: \(message)\n".utf8))
    }
}
