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
    private static let cutoutColumns = ["candid", "kind", "file_name", "stamp_data", "jd"]

    public init(db: Connection, columns: StoreColumns) throws {
        self.db = db
        candidateColumns = columns.candidate.map(\.name)
        historyColumns = columns.history.map(\.name)
        rubin = RubinLoader(db: db, columns: columns.rubin)
    }

    /// Stores one batch. Several loaders may store the same alerts at once (consumers of one
    /// group after a rebalance, `ingest` runs over overlapping archives): alerts are claimed by
    /// candid first (`claim`), so the second of two finds them taken; a unique violation on a
    /// history row means another stored it first, a deadlock that two waited on each other. The
    /// transaction is retried, after a short random pause so that the two do not meet again,
    /// and then skips what the other stored.
    ///
    /// A batch the database refuses for its values (`SQLState.refusesValues`: a value no check
    /// of the decoder foresaw) is stored again an alert at a time, and the alerts it still
    /// refuses are rejected with its reason, so that one packet cannot stop ingest at the
    /// same batch on every run. The reject keeps the alert's source, not its bytes, which the
    /// loader does not hold.
    public func load(_ batch: AlertBatch) throws -> LoadCounts {
        do {
            return try loadWhole(batch)
        } catch let error as PostgresError where error.sqlState?.refusesValues == true && !(batch.alerts.isEmpty && batch.rubinAlerts.isEmpty) {
            return try loadEachAlone(batch)
        }
    }

    private func loadEachAlone(_ batch: AlertBatch) throws -> LoadCounts {
        var counts = LoadCounts()
        var rejects = AlertBatch()
        batch.rejects.forEach { rejects.append($0) }
        let alone = batch.alerts.map { alert in (AlertBatch(alert), alert.source) }
            + batch.rubinAlerts.map { alert in (AlertBatch(alert), alert.source) }
        for (single, source) in alone {
            do {
                counts += try loadWhole(single)
            } catch let error as PostgresError where error.sqlState?.refusesValues == true {
                rejects.append(RejectedInput(source: source, reason: "the database refused it: \(error.primary ?? error.summary)", bytes: nil))
            }
        }
        if !rejects.isEmpty { counts += try loadWhole(rejects) }
        return counts
    }

    private func loadWhole(_ batch: AlertBatch) throws -> LoadCounts {
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
        if !batch.alerts.isEmpty {
            // First, before any other statement reads the tables: a new month's partition locks
            // its table, and every loader then takes those locks in the same order.
            try ensurePartitions(for: batch.alerts)
        }
        if !batch.rubinAlerts.isEmpty {
            try rubin.ensurePartitions(for: batch.rubinAlerts)
        }
        // Rows go in candid order (and history rows in key order) in every loader, so that two
        // loaders wait on each other's rows in the same order and never in a circle.
        let claimed = try claim(batch.alerts)
        // Each claimed candid once: a batch may hold a packet twice.
        var seen = Set<Int64>()
        let fresh = batch.alerts.filter { claimed[$0.candid] != nil && seen.insert($0.candid).inserted }.sorted { $0.candid < $1.candid }
        counts.duplicate = batch.alerts.count - fresh.count
        counts.loaded = fresh.count

        if !fresh.isEmpty {
            try db.copyBinary(into: "candidate", columns: ["id"] + candidateColumns,
                              rows: fresh.lazy.map { Self.row($0.candidateRow.bytes, startingWith: claimed[$0.candid]!) })
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

    /// Makes the month partitions the batch's rows go to (Migrations/0009): its alerts' months
    /// in candidate and cutout, its history rows' in prv_candidate. Each jd is sent as the
    /// start of its UTC day (a JD day starts at .5), which is in the same month, so that a
    /// batch sends a few values rather than one per row.
    private func ensurePartitions(for alerts: [EncodedAlert]) throws {
        func days<S: Sequence>(_ jds: S) -> [Double] where S.Element == Double? {
            Array(Set(jds.lazy.compactMap { $0 }.filter(\.isFinite).map { ($0 - 0.5).rounded(.down) + 0.5 })).sorted()
        }
        let alertDays = days(alerts.lazy.map(\.jd))
        let historyDays = days(alerts.lazy.flatMap { $0.history.lazy.map(\.jd) })
        try db.execute("""
            SELECT ensure_partitions('candidate', \(alertDays)), ensure_partitions('cutout', \(alertDays)),
                   ensure_partitions('prv_candidate', \(historyDays))
            """)
    }

    /// Claims the candids of `alerts` in `candidate_key` and returns the id of each claimed
    /// one; a candid stored already, or claimed by another loader that has since committed,
    /// is not returned (a loader holding it uncommitted is waited for). The key is what keeps
    /// candid and id unique across the month partitions of candidate, whose own unique keys
    /// must hold jd. Ids follow candid order within a batch.
    private func claim(_ alerts: [EncodedAlert]) throws -> [Int64: Int64] {
        guard !alerts.isEmpty else { return [:] }
        var jdOf: [Int64: Double?] = [:]
        for alert in alerts where jdOf[alert.candid] == nil { jdOf[alert.candid] = .some(alert.jd) }
        // Stored candids are left out first: a conflicting row of INSERT ... ON CONFLICT would
        // still take an id from the sequence, and a reloaded archive would leave gaps in the ids.
        let stored = try db.execute("SELECT candid FROM candidate_key WHERE candid = ANY(\(Array(jdOf.keys)))").rows
        for row in stored { jdOf[try row.decode("candid", as: Int64.self)] = nil }
        guard !jdOf.isEmpty else { return [:] }
        let candids = jdOf.keys.sorted()
        let rows = try db.execute("""
            INSERT INTO candidate_key (candid, jd)
            SELECT k.candid, k.jd FROM unnest(\(candids), \(candids.map { jdOf[$0]! })) AS k (candid, jd) ORDER BY k.candid
            ON CONFLICT (candid) DO NOTHING RETURNING candid, id
            """).rows
        return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode("candid", as: Int64.self), try $0.decode("id", as: Int64.self)) })
    }

    /// A binary COPY row with `id` as a new first field: the row's field count, one more, then
    /// the id, then the row's fields.
    private static func row(_ bytes: [UInt8], startingWith id: Int64) -> [UInt8] {
        let fields = (UInt16(bytes[0]) << 8 | UInt16(bytes[1])) + 1
        var row: [UInt8] = [UInt8(fields >> 8), UInt8(fields & 0xFF), 0, 0, 0, 8]
        row.reserveCapacity(bytes.count + 12)
        withUnsafeBytes(of: id.bigEndian) { row.append(contentsOf: $0) }
        row.append(contentsOf: bytes[2...])
        return row
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
