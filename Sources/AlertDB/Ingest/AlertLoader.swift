import Foundation
import Postgres

/// Stores batches of encoded alerts with binary COPY, one transaction per batch, so that a
/// batch is stored whole or not at all. Loading is idempotent: alerts whose candid is stored
/// are skipped, and history rows go through a staging table into `prv_candidate` with
/// ON CONFLICT DO NOTHING, so each object's history row is stored once.
public final class AlertLoader {
    private let db: Connection
    private let candidateColumns: [String]
    private let historyColumns: [String]
    private static let cutoutColumns = ["candid", "kind", "file_name", "stamp_data"]

    public init(db: Connection, columns: StoreColumns) throws {
        self.db = db
        candidateColumns = columns.candidate.map(\.name)
        historyColumns = columns.history.map(\.name)
        let list = historyColumns.map(Connection.quoteIdentifier).joined(separator: ", ")
        // History rows are mostly repeats; staging them lets the database drop repeats with one
        // INSERT ... ON CONFLICT. A temporary table is private to this session and writes no WAL.
        try db.execute("""
            CREATE TEMPORARY TABLE IF NOT EXISTS prv_stage ON COMMIT DELETE ROWS
            AS SELECT \(list) FROM prv_candidate WITH NO DATA
            """)
    }

    /// Stores one batch. A unique violation means another loader stored some of the same
    /// alerts meanwhile: the transaction is retried, and then skips them.
    public func load(_ batch: AlertBatch) throws -> LoadCounts {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try db.transaction { try store(batch) }
            } catch let error as PostgresError where error.sqlState == "23505" && attempt < 5 {
                continue
            }
        }
    }

    private func store(_ batch: AlertBatch) throws -> LoadCounts {
        var counts = LoadCounts()
        let fresh = try newAlerts(in: batch.alerts)
        counts.duplicate = batch.alerts.count - fresh.count
        counts.loaded = fresh.count

        if !fresh.isEmpty {
            try db.copyBinary(into: "candidate", columns: candidateColumns, rows: fresh.lazy.map(\.candidateRow.bytes))
            try db.copyBinary(into: "cutout", columns: Self.cutoutColumns, rows: fresh.lazy.map(\.cutoutRows.bytes))
            counts.historyRows = try storeHistory(of: fresh)
        }
        if !batch.rejects.isEmpty {
            counts.rejected = batch.rejects.count
            try storeRejects(batch.rejects)
        }
        return counts
    }

    /// The alerts of `alerts` that are not stored yet, each candid once.
    private func newAlerts(in alerts: [EncodedAlert]) throws -> [EncodedAlert] {
        guard !alerts.isEmpty else { return [] }
        let array = "{" + alerts.map { String($0.candid) }.joined(separator: ",") + "}"
        let stored = try db.execute("SELECT candid FROM candidate WHERE candid = ANY($1::bigint[])", [array])
        var seen = Set(stored.rows.compactMap { $0[0].flatMap { Int64($0) } })
        return alerts.filter { seen.insert($0.candid).inserted }
    }

    private func storeHistory(of alerts: [EncodedAlert]) throws -> Int {
        // Packets of one object repeat most of its history: send each row once per batch.
        var seen = Set<HistoryKey>()
        var chunks: [ArraySlice<UInt8>] = []
        for alert in alerts {
            for entry in alert.history where seen.insert(entry.key).inserted {
                chunks.append(alert.historyRows.bytes[entry.range])
            }
        }
        guard !chunks.isEmpty else { return 0 }
        try db.copyBinary(into: "prv_stage", columns: historyColumns, rows: chunks)
        let list = historyColumns.map(Connection.quoteIdentifier).joined(separator: ", ")
        return try db.execute("""
            INSERT INTO prv_candidate (\(list)) SELECT \(list) FROM prv_stage
            ON CONFLICT ("objectId", pid, candid) DO NOTHING
            """).affectedRows
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
