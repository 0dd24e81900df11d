import Foundation
import Kafka
import Postgres

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
