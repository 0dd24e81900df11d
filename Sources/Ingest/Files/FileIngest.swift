import Foundation
import Postgres
import Store

/// `alertdb ingest`: reads packets from files, directories, archives or stdin and stores them.
///
/// On a `Pipeline`: one thread reads and decodes packets into binary COPY rows, the calling
/// thread stores batches; while the database works on one batch the next is being decoded.
public struct FileIngest {
    public struct Options: Sendable {
        /// Alerts per transaction.
        public var batchSize = 500
        /// Cap on a batch's encoded bytes, so a batch of large packets stays small in memory.
        public var batchBytes = 24 << 20
        /// Calls back after each stored batch with the running totals.
        public var progress: (@Sendable (IngestSummary) -> Void)?

        public init() {}
    }

    public let inputs: [String]
    public let database: String
    public var options = Options()

    public init(inputs: [String], database: String) {
        self.inputs = inputs
        self.database = database
    }

    public func run() throws -> IngestSummary {
        let start = Date()
        let db = try Connection(database)
        let columns = try StoreColumns.read(from: db)
        let loader = try AlertLoader(db: db, columns: columns)
        let (inputs, options, database) = (self.inputs, self.options, self.database)

        var summary = IngestSummary()
        do {
            try Pipeline<AlertBatch>.run(capacity: 2, produce: { pipeline in
                // New writer schemas are registered on a connection of the decoding side's own,
                // outside the loader's transactions.
                let registry = SchemaRegistry(db: try Connection(database))
                let decoder = PacketDecoder(columns: columns) { try registry.register(definition: $0.json) }
                var batch = AlertBatch()
                try PacketSource(inputs: inputs).forEach { item in
                    switch item {
                    case .packet(let source, let bytes):
                        batch.append(contentsOf: try decoder.decode(bytes, source: source))
                    case .unreadable(let source, let reason):
                        batch.append(RejectedInput(source: source, reason: reason, bytes: nil))
                    }
                    if batch.count >= options.batchSize || batch.byteCount >= options.batchBytes {
                        try pipeline.send(batch)
                        batch = AlertBatch()
                    }
                }
                if !batch.isEmpty { try pipeline.send(batch) }
            }, consume: { batch in
                summary.read += batch.count
                summary.counts += try loader.load(batch)
                summary.seconds = Date().timeIntervalSince(start)
                options.progress?(summary)
            })
        } catch {
            summary.seconds = Date().timeIntervalSince(start)
            throw IngestInterrupted(summary: summary, reason: error)
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}

/// Totals of a run of `alertdb ingest` or `alertdb consume`.
public struct IngestSummary: Sendable {
    public var read = 0
    public var counts = LoadCounts()
    public var seconds = 0.0
    public var alertsPerSecond: Double { seconds > 0 ? Double(counts.loaded) / seconds : 0 }

    public init() {}

    /// e.g. `read 1104, loaded 1104, duplicate 0, rejected 0 in 2.1 s (525 alerts/s)`
    public var line: String {
        let rate = String(format: "%.0f", alertsPerSecond)
        return "read \(read), loaded \(counts.loaded), duplicate \(counts.duplicate), rejected \(counts.rejected) "
            + "in \(String(format: "%.1f", seconds)) s (\(rate) alerts/s)"
    }
}

extension AlertBatch {
    /// Adds what one packet decoded into.
    mutating func append(contentsOf outcomes: [PacketDecoder.Outcome]) {
        for outcome in outcomes {
            switch outcome {
            case .alert(let alert): append(alert)
            case .rejected(let reject): append(reject)
            }
        }
    }
}
