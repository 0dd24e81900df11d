import Postgres

/// Everything stored about one alert that its packet is rebuilt from.
struct StoredAlert {
    /// The writer schema's JSON text.
    let schemaJSON: String
    /// The candidate row; its `extra` holds the alert's top-level leftovers, the candidate
    /// record's under "candidate", and each cutout record's under its field name.
    let candidate: StoredRow
    /// Stamps by kind (Science, Template, Difference), with `fileName` and `stampData`.
    let cutouts: [String: StoredRow]
    /// The packet's history entries in packet order; nil when its prv_candidates was null.
    let history: [StoredRow]?

    /// The version of the migration that added `prv_keys`: alerts stored before it have no record
    /// of their packet's history.
    private static let historyKeysMigration = "3"

    /// Reads alert `id` (the public `candidate.id`), or nil when there is none.
    static func read(id: Int64, from db: Connection) throws -> StoredAlert? {
        let rows = try db.execute("""
            SELECT c.*, c.prv_keys IS NULL AND c.ingested_at < coalesce(
                       (SELECT applied_at FROM schema_migration WHERE version = $2::integer), '-infinity')
                   AS "alertdb.history_unrecorded"
            FROM candidate c WHERE c.id = $1::bigint
            """, [String(id), historyKeysMigration])
        guard rows.rowCount == 1 else { return nil }
        var candidate = try StoredRow(rows, row: 0)
        let unrecorded = candidate.columns.removeValue(forKey: "alertdb.history_unrecorded") == "t"
        let keys = candidate.columns.removeValue(forKey: "prv_keys") ?? nil

        guard let schemaID = candidate.columns["schema_id"] ?? nil,
              let schemaJSON = try db.execute("SELECT definition FROM avro_schema WHERE id = $1::integer", [schemaID])[0, 0] else {
            throw ExportError(description: "alert \(id) has no writer schema")
        }
        guard let candid = candidate.columns["candid"] ?? nil, let objectId = candidate.columns["objectId"] ?? nil else {
            throw ExportError(description: "alert \(id) has no candid or objectId")
        }

        let stamps = try db.execute("SELECT kind, file_name, stamp_data FROM cutout WHERE candid = $1::bigint", [candid])
        var cutouts: [String: StoredRow] = [:]
        for r in 0..<stamps.rowCount {
            cutouts[stamps[r, 0]!] = StoredRow(columns: ["fileName": stamps[r, 1], "stampData": stamps[r, 2]])
        }

        let history: [StoredRow]?
        if let keys {
            history = try packetHistory(keys: keys, objectId: objectId, db: db)
        } else if unrecorded {
            let rows = try db.execute("""
                SELECT * FROM prv_candidate WHERE "objectId" = $1 AND jd < $2::double precision ORDER BY jd, pid, candid
                """, [objectId, candidate.columns["jd"] ?? nil])
            history = try (0..<rows.rowCount).map { try StoredRow(rows, row: $0) }
        } else {
            history = nil
        }
        return StoredAlert(schemaJSON: schemaJSON, candidate: candidate, cutouts: cutouts, history: history)
    }

    /// The object's history rows named by `keys` (`prv_keys` as text, `{{pid,candid},...}`), in that order.
    private static func packetHistory(keys: String, objectId: String, db: Connection) throws -> [StoredRow] {
        let elements = keys.split { "{},".contains($0) }.map { $0 == "NULL" ? nil : String($0) }
        guard elements.count % 2 == 0 else { throw ExportError(description: "malformed prv_keys \(keys)") }
        if elements.isEmpty { return [] }
        let rows = try db.execute(#"SELECT * FROM prv_candidate WHERE "objectId" = $1"#, [objectId])
        var byKey: [HistoryRowKey: StoredRow] = [:]
        for r in 0..<rows.rowCount {
            let row = try StoredRow(rows, row: r)
            byKey[HistoryRowKey(pid: row.columns["pid"] ?? nil, candid: row.columns["candid"] ?? nil)] = row
        }
        return try stride(from: 0, to: elements.count, by: 2).map { i in
            let key = HistoryRowKey(pid: elements[i], candid: elements[i + 1])
            guard let row = byKey[key] else {
                throw ExportError(description: "history row pid \(key.pid ?? "NULL"), candid \(key.candid ?? "NULL") of \(objectId) is not stored")
            }
            return row
        }
    }

    /// A history row's key as PostgreSQL prints it.
    private struct HistoryRowKey: Hashable {
        let pid: String?
        let candid: String?
    }
}
