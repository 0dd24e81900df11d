import Foundation
import Kafka
import Model
import Postgres
import Store

/// The storing side: loads batches (retrying with backoff while the database is
/// unreachable, until stopped) and commits their offsets.
struct StreamStore {
    let database: String
    let metrics: StreamMetrics
    let stop: StopSignal
    private let columns: StoreColumns
    private var loader: AlertLoader

    init(database: String, metrics: StreamMetrics, stop: StopSignal) throws {
        (self.database, self.metrics, self.stop) = (database, metrics, stop)
        let db = try Connection(database)
        columns = try StoreColumns.read(from: db)
        loader = try AlertLoader(db: db, columns: columns)
    }

    /// Stores the batch, then commits its offsets. A commit refused (the partitions moved to
    /// another member, or the broker is away) is not an error: those messages are read
    /// again, and load as duplicates. Stopped while the database is away, it gives up the
    /// batch uncommitted (it will be read again) and throws.
    mutating func save(_ pending: PendingBatch, consumer: KafkaConsumer, summary: inout IngestSummary) throws {
        guard !pending.isEmpty else { return }
        var backoff = Backoff()
        let counts: LoadCounts
        while true {
            do {
                counts = try loader.load(pending.batch)
                break
            } catch let error as PostgresError where error.isConnectionFailure {
                Log.consume("database unavailable (\(error.message)); retrying in \(backoff.delay) s")
                guard backoff.wait(unless: stop) else { throw error }
                if let reconnected = try? AlertLoader(db: try Connection(database), columns: columns) {
                    loader = reconnected
                }
            }
        }
        summary.counts += counts
        do {
            try consumer.commit(pending.offsets)
        } catch {
            Log.consume("offsets not committed (\(error)); the messages will be read again and load as duplicates")
        }
        summary.read += pending.count
        metrics.recordBatch(messages: pending.count, counts: counts, timestamps: pending.timestamps)
    }
}
