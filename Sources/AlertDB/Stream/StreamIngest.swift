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
    ///
    /// Two threads, as in `Ingest`: one polls and decodes messages into batches, this one
    /// stores each batch and commits its offsets while the next is being decoded.
    public func run(_ consumer: KafkaConsumer, stop: StopSignal) throws -> Ingest.Summary {
        let start = Date()
        let queue = BatchQueue<PendingBatch>(capacity: 2)
        let reader = StreamReader(consumer: consumer, database: database, options: options, metrics: metrics,
                                  stop: stop, queue: queue)
        var store = try StreamStore(database: database, metrics: metrics)
        // Lag is read when metrics are scraped: asking the coordinator for committed offsets
        // takes a round trip per call, which the polling thread must not wait for.
        metrics.watch(consumer)
        let thread = Thread { reader.run() }
        thread.stackSize = 8 << 20
        thread.start()
        defer {
            // The reader stops polling before the consumer leaves the group from this thread.
            queue.cancel()
            reader.finished.wait()
            metrics.watch(nil)
            consumer.close()
        }

        var summary = Ingest.Summary()
        while true {
            switch queue.take() {
            case .batch(let pending):
                try store.save(pending, consumer: consumer, summary: &summary)
            case .finished:
                summary.seconds = Date().timeIntervalSince(start)
                return summary
            case .failed(let message):
                throw AlertDBError.database(message)
            }
        }
    }
}

/// The polling side: reads messages, decodes them, and hands batches to the storing thread.
/// Used only from its own thread; the queue and the stop signal are what it shares.
final class StreamReader: @unchecked Sendable {
    let consumer: KafkaConsumer
    let database: String
    let options: StreamIngest.Options
    let metrics: StreamMetrics
    let stop: StopSignal
    let queue: BatchQueue<PendingBatch>
    /// Signalled when `run` returns.
    let finished = DispatchSemaphore(value: 0)

    init(consumer: KafkaConsumer, database: String, options: StreamIngest.Options, metrics: StreamMetrics,
         stop: StopSignal, queue: BatchQueue<PendingBatch>) {
        (self.consumer, self.database, self.options, self.metrics, self.stop, self.queue) = (consumer, database, options, metrics, stop, queue)
    }

    func run() {
        defer { finished.signal() }
        do {
            let decoder = try StreamDecoder(database: database, wireSchema: options.wireSchema, stop: stop)
            var pending = PendingBatch()
            var lastMessage = Date()
            var assigned = false
            /// False when the storing side has gone away.
            func handOver() -> Bool {
                guard !pending.isEmpty else { return true }
                guard queue.put(.batch(pending)) else { return false }
                pending = PendingBatch()
                return true
            }
            while !stop.isSet {
                if let message = try consumer.poll(timeoutMillis: 100) {
                    lastMessage = Date()
                    pending.add(message, outcomes: try decoder.decode(message))
                } else if !assigned {
                    assigned = !((try? consumer.assignment()) ?? []).isEmpty
                    lastMessage = Date()
                } else if let idleExit = options.idleExit, pending.isEmpty, Date().timeIntervalSince(lastMessage) >= idleExit {
                    break
                }
                if pending.count >= options.batchSize || pending.batch.byteCount >= options.batchBytes
                    || pending.age >= options.batchSeconds {
                    guard handOver() else { return }
                }
            }
            guard handOver() else { return }
            queue.put(.finished)
        } catch {
            queue.put(.failed("\(error)"))
        }
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

/// Decodes messages, with a schema registry that waits out database outages.
final class StreamDecoder {
    private let decoder: PacketDecoder
    private let wireReader: DatumReader?

    init(database: String, wireSchema: AvroSchema?, stop: StopSignal) throws {
        let db = try Connection(database)
        let registry = RetryingSchemaRegistry(database: database, db: db, stop: stop)
        decoder = PacketDecoder(columns: try StoreColumns.read(from: db), registerSchema: registry.register)
        wireReader = try wireSchema.map { try DatumReader(schema: $0) }
    }

    /// A message as alerts or a reject named by its coordinates in the stream.
    func decode(_ message: KafkaMessage) throws -> [PacketDecoder.Outcome] {
        let source = "kafka:\(message.topic)/\(message.partition)@\(message.offset)"
        let bytes = message.payload
        if let wireReader, bytes.count > 5, bytes[0] == 0 {
            return [try decoder.decode(datum: bytes[5...], with: wireReader, source: source, bytes: bytes)]
        }
        return try decoder.decode(bytes, source: source)
    }
}

/// Registers writer schemas (rarely: once per new schema), reconnecting with backoff while
/// the database is unreachable rather than failing the message.
final class RetryingSchemaRegistry {
    let database: String
    private var db: Connection?
    let stop: StopSignal

    init(database: String, db: Connection, stop: StopSignal) {
        (self.database, self.db, self.stop) = (database, db, stop)
    }

    func register(_ schema: AvroSchema) throws -> Int32 {
        var delay = 0.5
        while true {
            do {
                let db = try self.db ?? Connection(database)
                self.db = db
                return try SchemaRegistry(db: db).register(schema)
            } catch let error as PostgresError where error.isConnectionFailure && !stop.isSet {
                self.db = nil
                logStream("database unavailable (\(error.message)); retrying in \(delay) s")
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, 30)
            }
        }
    }
}

/// The storing side: loads batches (retrying with backoff while the database is
/// unreachable) and commits their offsets.
struct StreamStore {
    let database: String
    let metrics: StreamMetrics
    private let columns: StoreColumns
    private var loader: AlertLoader

    init(database: String, metrics: StreamMetrics) throws {
        self.database = database
        self.metrics = metrics
        let db = try Connection(database)
        columns = try StoreColumns.read(from: db)
        loader = try AlertLoader(db: db, columns: columns)
    }

    /// Stores the batch, then commits its offsets. A commit refused (the partitions moved to
    /// another member, or the broker is away) is not an error: those messages are read
    /// again, and load as duplicates.
    mutating func save(_ pending: PendingBatch, consumer: KafkaConsumer, summary: inout Ingest.Summary) throws {
        guard !pending.isEmpty else { return }
        var delay = 0.5
        let counts: LoadCounts
        while true {
            do {
                counts = try loader.load(pending.batch)
                break
            } catch let error as PostgresError where error.isConnectionFailure {
                logStream("database unavailable (\(error.message)); retrying in \(delay) s")
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
            logStream("offsets not committed (\(error)); the messages will be read again and load as duplicates")
        }
        summary.read += pending.count
        metrics.recordBatch(messages: pending.count, counts: counts, timestamps: pending.timestamps)
    }
}

func logStream(_ message: String) {
    FileHandle.standardError.write(Data("alertdb consume: \(message)\n".utf8))
}
