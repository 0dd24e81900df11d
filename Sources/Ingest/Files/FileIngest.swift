import Foundation
import Postgres
import Store
import Synchronization

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
        /// The schema registry that resolves the schema ids of files holding one Confluent-framed
        /// message (nil: Rubin's schemas bundled with alertdb).
        public var schemaRegistry: String?

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
        let damage = DamageTally()
        do {
            try Pipeline<AlertBatch>.run(capacity: 2, produce: { pipeline in
                // New writer schemas are registered on a connection of the decoding side's own,
                // outside the loader's transactions.
                let registry = SchemaRegistry(db: try Connection(database))
                let wireSchemas = WireSchemas(registry: try options.schemaRegistry.map { try SchemaRegistryClient(url: $0) })
                let decoder = PacketDecoder(columns: columns, wireSchemas: wireSchemas) { try registry.register(definition: $0.definition) }
                var batch = AlertBatch()
                try PacketSource(inputs: inputs).forEach { item in
                    switch item {
                    case .packet(let source, let bytes):
                        batch.append(contentsOf: try decoder.decode(bytes, source: source))
                    case .unreadable(let source, let reason):
                        batch.append(RejectedInput(source: source, reason: reason, bytes: nil))
                    case .damaged(let source, let reason, let bytes, let skipped):
                        batch.append(RejectedInput(source: source, reason: reason, bytes: bytes))
                        damage.add(skipped: skipped)
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
            (summary.damagedRegions, summary.skippedBytes) = damage.totals
            summary.seconds = Date().timeIntervalSince(start)
            throw IngestInterrupted(summary: summary, reason: error)
        }
        (summary.damagedRegions, summary.skippedBytes) = damage.totals
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}

/// Damaged archive regions skipped, counted on the decoding thread and read once it has ended.
private final class DamageTally: Sendable {
    private let state = Mutex((regions: 0, bytes: 0))

    func add(skipped: Int) { state.withLock { $0.regions += 1; $0.bytes += skipped } }
    var totals: (regions: Int, bytes: Int) { state.withLock { $0 } }
}

/// Totals of a run of `alertdb ingest` or `alertdb consume`.
public struct IngestSummary: Sendable {
    public var read = 0
    public var counts = LoadCounts()
    /// Damaged regions of archives skipped to the next good tar header (each one is a reject),
    /// and their bytes.
    public var damagedRegions = 0
    public var skippedBytes = 0
    public var seconds = 0.0
    public var alertsPerSecond: Double { seconds > 0 ? Double(counts.loaded) / seconds : 0 }

    public init() {}

    /// e.g. `read 1104, loaded 1104, duplicate 0, rejected 0 in 2.1 s (525 alerts/s)`
    /// and, when archives were damaged, `; skipped 1 damaged archive region (20480 bytes)`.
    public var line: String {
        let rate = String(format: "%.0f", alertsPerSecond)
        let damage = damagedRegions == 0 ? ""
            : "; skipped \(damagedRegions) damaged archive region\(damagedRegions == 1 ? "" : "s") (\(skippedBytes) bytes)"
        return "read \(read), loaded \(counts.loaded), duplicate \(counts.duplicate), rejected \(counts.rejected) "
            + "in \(String(format: "%.1f", seconds)) s (\(rate) alerts/s)" + damage
    }
}

extension AlertBatch {
    /// Adds what one packet decoded into.
    mutating func append(contentsOf outcomes: [PacketDecoder.Outcome]) {
        for outcome in outcomes {
            switch outcome {
            case .alert(let alert): append(alert)
            case .rubin(let alert): append(alert)
            case .rejected(let reject): append(reject)
            }
        }
    }
}
