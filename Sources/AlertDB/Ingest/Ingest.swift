import Foundation
import Postgres

/// `alertdb ingest`: reads packets from files, directories, archives or stdin and stores them.
///
/// Two threads: one reads and decodes packets into binary COPY rows, the other stores batches;
/// while the database works on one batch the next is being decoded.
public struct Ingest {
    public struct Options: Sendable {
        /// Alerts per transaction.
        public var batchSize = 500
        /// Cap on a batch's encoded bytes, so a batch of large packets stays small in memory.
        public var batchBytes = 24 << 20
        /// Calls back after each stored batch with the running totals.
        public var progress: (@Sendable (Summary) -> Void)?

        public init() {}
    }

    /// Totals of a run.
    public struct Summary: Sendable {
        public var read = 0
        public var counts = LoadCounts()
        public var seconds = 0.0
        public var alertsPerSecond: Double { seconds > 0 ? Double(counts.loaded) / seconds : 0 }
    }

    public let inputs: [String]
    public let database: String
    public var options = Options()

    public init(inputs: [String], database: String) {
        self.inputs = inputs
        self.database = database
    }

    public func run() throws -> Summary {
        let start = Date()
        let db = try Connection(database)
        let columns = try StoreColumns.read(from: db)
        let loader = try AlertLoader(db: db, columns: columns)
        // The decoder registers new writer schemas on a connection of its own, outside the
        // loader's transactions.
        let schemaDB = try Connection(database)

        let queue = BatchQueue<AlertBatch>(capacity: 2)
        let decoding = DecodeThread(inputs: inputs, options: options, columns: columns, schemaDB: schemaDB, queue: queue)
        let thread = Thread { decoding.run() }
        thread.stackSize = 8 << 20
        thread.start()

        var summary = Summary()
        defer { queue.cancel() }
        while true {
            switch queue.take() {
            case .batch(let batch):
                summary.read += batch.count
                summary.counts += try loader.load(batch)
                summary.seconds = Date().timeIntervalSince(start)
                options.progress?(summary)
            case .finished:
                summary.seconds = Date().timeIntervalSince(start)
                return summary
            case .failed(let message):
                throw AlertDBError.database(message)
            }
        }
    }
}

/// The decoding side: owns its Avro readers and its schema connection, and is used only
/// from its own thread; the queue is the only thing it shares.
private final class DecodeThread: @unchecked Sendable {
    let inputs: [String]
    let options: Ingest.Options
    let columns: StoreColumns
    let schemaDB: Connection
    let queue: BatchQueue<AlertBatch>

    init(inputs: [String], options: Ingest.Options, columns: StoreColumns, schemaDB: Connection, queue: BatchQueue<AlertBatch>) {
        (self.inputs, self.options, self.columns, self.schemaDB, self.queue) = (inputs, options, columns, schemaDB, queue)
    }

    struct Stopped: Error {}

    func run() {
        let registry = SchemaRegistry(db: schemaDB)
        let decoder = PacketDecoder(columns: columns, registerSchema: registry.register)
        var batch = AlertBatch()
        func flush() throws {
            guard !batch.isEmpty else { return }
            guard queue.put(.batch(batch)) else { throw Stopped() }
            batch = AlertBatch()
        }
        do {
            try PacketSource(inputs: inputs).forEach { item in
                switch item {
                case .packet(let source, let bytes):
                    for outcome in try decoder.decode(bytes, source: source) {
                        switch outcome {
                        case .alert(let alert): batch.append(alert)
                        case .rejected(let reject): batch.append(reject)
                        }
                    }
                case .unreadable(let source, let reason):
                    batch.append(RejectedInput(source: source, reason: reason, bytes: nil))
                }
                if batch.count >= options.batchSize || batch.byteCount >= options.batchBytes { try flush() }
            }
            try flush()
            queue.put(.finished)
        } catch is Stopped {
            return
        } catch {
            queue.put(.failed("\(error)"))
        }
    }
}
