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
        let counts = try StreamStore.whileUnavailable(stop: stop) {
            do {
                return try loader.load(pending.batch)
            } catch let error as PostgresError where error.isConnectionFailure {
                // The next attempt needs a connection of its own; failing to open one is the same outage.
                loader = try AlertLoader(db: try Connection(database), columns: columns)
                throw error
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

extension StreamStore {
    /// Runs `attempt` until it succeeds, trying again while the database is unreachable: every
    /// second at most (a reconnection costs little, and the stream should resume within about a
    /// second of the database's return), saying so once when the outage starts and once when
    /// it ends. Gives up with the outage's error as soon as `stop` is set.
    static func whileUnavailable<T>(stop: StopSignal, _ attempt: () throws -> T) throws -> T {
        var backoff = Backoff(first: 0.1, maximum: 1)
        var outageStart: ContinuousClock.Instant?
        while true {
            do {
                let value = try attempt()
                if let outageStart { Log.consume("database back after \(ContinuousClock.now - outageStart); resuming") }
                return value
            } catch let error as PostgresError where error.isConnectionFailure {
                if outageStart == nil {
                    outageStart = .now
                    Log.consume("database unavailable (\(error.summary)); trying again every second until it is back")
                }
                guard backoff.wait(unless: stop) else { throw error }
            }
        }
    }
}
