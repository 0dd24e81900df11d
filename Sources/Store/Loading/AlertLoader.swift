import Foundation
import Model
import Postgres

/// Stores batches of encoded alerts with binary COPY, one transaction per batch, so that a
/// batch is stored whole or not at all. Loading is idempotent: alerts whose candid is stored
/// are skipped, and so are history rows already stored for their object, so each object's
/// history row is stored once however many packets repeat it.
/// The figures of the batch's objects (`ObjectTable`) are recomputed in the same transaction.
public final class AlertLoader {
    private let db: Connection
    private let candidateColumns: [String]
    private let historyColumns: [String]
    private let rubin: RubinLoader
    private static let cutoutColumns = ["candid", "kind", "file_name", "stamp_data"]

    public init(db: Connection, columns: StoreColumns) throws {
        self.db = db
        candidateColumns = columns.candidate.map(\.name)
        historyColumns = columns.history.map(\.name)
        rubin = RubinLoader(db: db, columns: columns.rubin)
    }

    /// Stores one batch. Several loaders may store the same alerts at once (consumers of one
    /// group after a rebalance, `ingest` runs over overlapping archives): a unique violation
    /// means another stored some of them first, a deadlock that two waited on each other. The
    /// transaction is retried, after a short random pause so that the two do not meet again,
    /// and then skips what the other stored.
    public func load(_ batch: AlertBatch) throws -> LoadCounts {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try db.transaction { try store(batch) }
            } catch let error as PostgresError where error.sqlState.map(Self.retried.contains) == true && attempt < Self.attempts {
                Thread.sleep(forTimeInterval: Double.random(in: 0.005...0.05) * Double(attempt))
            }
        }
    }

    /// The failures a concurrent loader causes, which a new attempt gets past.
    private static let retried: Set<SQLState> = [.uniqueViolation, .deadlockDetected, .serializationFailure]
    /// Each attempt either stores the batch or finds more of it stored by others: a loader
    /// that loses this many races in a row reports the error.
    private static let attempts = 20

    private func store(_ batch: AlertBatch) throws -> LoadCounts {
        var counts = LoadCounts()
        // Rows go in candid order (and history rows in key order) in every loader, so that two
        // loaders wait on each other's rows in the same order and never in a circle.
        let fresh = try newAlerts(in: batch.alerts).sorted { $0.candid < $1.candid }
        counts.duplicate = batch.alerts.count - fresh.count
        counts.loaded = fresh.count

        if !fresh.isEmpty {
            try db.copyBinary(into: "candidate", columns: candidateColumns, rows: fresh.lazy.map(\.candidateRow.bytes))
            try db.copyBinary(into: "cutout", columns: Self.cutoutColumns, rows: fresh.lazy.map(\.cutoutRows.bytes))
            counts.historyRows = try storeHistory(of: fresh)
            // After the rows they are computed from, in the same transaction.
            try ObjectTable.refresh(Set(fresh.lazy.map(\.objectId)), db: db)
        }
        // Rubin's alerts beside ZTF's, in the same transaction.
        let rubinCounts = try rubin.store(batch.rubinAlerts)
        counts.loaded += rubinCounts.loaded
        counts.duplicate += rubinCounts.duplicate
        counts.historyRows += rubinCounts.historyRows
        if !batch.rejects.isEmpty {
            counts.rejected = batch.rejects.count
            try storeRejects(batch.rejects)
        }
        if !fresh.isEmpty {
            // Last, so that concurrent loaders hold this one row's lock only while committing.
            try db.execute("UPDATE alert_count SET stored = stored + \(fresh.count), last_stored_at = now()")
        }
        if rubinCounts.loaded > 0 {
            try db.execute("UPDATE alert_count SET rubin_stored = rubin_stored + \(rubinCounts.loaded), rubin_last_stored_at = now()")
        }
        return counts
    }

    /// The alerts of `alerts` that are not stored yet, each candid once.
    private func newAlerts(in alerts: [EncodedAlert]) throws -> [EncodedAlert] {
        guard !alerts.isEmpty else { return [] }
        let stored = try db.execute("SELECT candid FROM candidate WHERE candid = ANY(\(alerts.map(\.candid)))")
        var seen = Set(try stored.rows.map { try $0.decode("candid", as: Int64.self) })
        return alerts.filter { seen.insert($0.candid).inserted }
    }

    /// Copies the history rows that are new: packets of one object repeat most of its history,
    /// so each row is sent once per batch, and not at all when its object has it stored.
    private func storeHistory(of alerts: [EncodedAlert]) throws -> Int {
        var known = try storedHistory(of: Set(alerts.lazy.filter { !$0.history.isEmpty }.map(\.objectId)))
        var rows: [(key: HistoryKey, bytes: ArraySlice<UInt8>)] = []
        for alert in alerts {
            for entry in alert.history where known.insert(entry.key).inserted {
                rows.append((entry.key, alert.historyRows.bytes[entry.range]))
            }
        }
        guard !rows.isEmpty else { return 0 }
        rows.sort { $0.key < $1.key }
        return try db.copyBinary(into: "prv_candidate", columns: historyColumns, rows: rows.lazy.map(\.bytes))
    }

    /// The keys of the history rows stored for `objects`.
    private func storedHistory(of objects: Set<String>) throws -> Set<HistoryKey> {
        guard !objects.isEmpty else { return [] }
        let rows = try db.execute(#"SELECT "objectId", pid, candid FROM prv_candidate WHERE "objectId" = ANY(\#(Array(objects)))"#).rows
        return Set(try rows.map { HistoryKey(objectId: try $0.decode("objectId"), pid: try $0.decode("pid"), candid: try $0.decode("candid")) })
    }

    private func storeRejects(_ rejects: [RejectedInput]) throws {
        try db.execute("CREATE TEMPORARY TABLE IF NOT EXISTS reject_stage (source text, reason text, bytes bytea) ON COMMIT DELETE ROWS")
        let rows = rejects.map { reject -> [UInt8] in
            var row = BinaryCopyWriter()
            row.beginRow(fieldCount: 3)
            row.text(reject.source)
            row.text(reject.reason)
            if let bytes = reject.bytes { bytes.withUnsafeBytes { row.raw($0) } } else { row.null() }
            return row.bytes
        }
        try db.copyBinary(into: "reject_stage", columns: ["source", "reason", "bytes"], rows: rows)
        try db.execute("""
            INSERT INTO reject (source, reason, bytes) SELECT source, reason, bytes FROM reject_stage
            ON CONFLICT (source, reason, md5(coalesce(bytes, ''::bytea))) DO NOTHING
            """)
    }
}
