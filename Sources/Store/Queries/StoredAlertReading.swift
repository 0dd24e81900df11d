import Model
import Postgres

extension AlertStore {
    /// What alert `id` (the public `candidate.id`) is rebuilt from, or nil when there is none.
    public func storedAlert(id: Int64, db: Connection) throws -> StoredAlertRows? {
        let rows = try db.execute("""
            SELECT c.*, c.prv_keys IS NULL AND c.ingested_at < coalesce(
                       (SELECT applied_at FROM schema_migration WHERE version = \(Self.historyKeysMigration)), '-infinity')
                   AS "alertdb.history_unrecorded"
            FROM candidate c WHERE c.id = \(id)
            """)
        guard rows.rowCount == 1 else { return nil }
        var candidate = try Self.textColumns(rows[0])
        let unrecorded = candidate.removeValue(forKey: "alertdb.history_unrecorded") == "t"
        let keys = candidate.removeValue(forKey: "prv_keys") ?? nil
        let schemaID = try rows[0].decode("schema_id", as: Int32?.self)
        let objectId = try rows[0].decode("objectId", as: String.self), candid = try rows[0].decode("candid", as: Int64.self)

        let schemas = try db.execute("SELECT definition FROM avro_schema WHERE id = \(schemaID)")
        guard schemas.rowCount == 1 else { throw AlertDBError.database("alert \(id) has no writer schema") }

        var cutouts: [String: StoredAlertRows.Row] = [:]
        for stamp in try db.execute("SELECT kind, file_name, stamp_data FROM cutout WHERE candid = \(candid)").rows {
            cutouts[try stamp.decode("kind")] = ["fileName": try stamp.decode("file_name"), "stampData": try stamp.decode("stamp_data")]
        }

        let history: [StoredAlertRows.Row]?
        if let keys {
            history = try packetHistory(keys: keys, objectId: objectId, db: db)
        } else if unrecorded {
            let jd = try rows[0].decode("jd", as: Double?.self)
            history = try db.execute("""
                SELECT * FROM prv_candidate WHERE "objectId" = \(objectId) AND jd < \(jd) ORDER BY jd, pid, candid
                """).rows.map(Self.textColumns)
        } else {
            history = nil
        }
        return StoredAlertRows(schemaJSON: try schemas[0].decode("definition"), candidate: candidate, cutouts: cutouts, history: history)
    }

    /// The version of the migration that added `prv_keys`: alerts stored before it have no record
    /// of their packet's history.
    private static let historyKeysMigration = 3

    /// Every column of `row` as the text PostgreSQL prints.
    private static func textColumns(_ row: Row) throws -> StoredAlertRows.Row {
        var columns: StoredAlertRows.Row = [:]
        for (index, column) in row.result.columns.enumerated() { columns[column.name] = try row.decode(index, as: String?.self) }
        return columns
    }

    /// The object's history rows named by `keys` (`prv_keys` as text, `{{pid,candid},...}`), in that order.
    private func packetHistory(keys: String, objectId: String, db: Connection) throws -> [StoredAlertRows.Row] {
        let elements = keys.split { "{},".contains($0) }.map { $0 == "NULL" ? nil : String($0) }
        guard elements.count % 2 == 0 else { throw AlertDBError.database("malformed prv_keys \(keys)") }
        if elements.isEmpty { return [] }
        var byKey: [HistoryRowKey: StoredAlertRows.Row] = [:]
        for row in try db.execute(#"SELECT * FROM prv_candidate WHERE "objectId" = \#(objectId)"#).rows {
            let columns = try Self.textColumns(row)
            byKey[HistoryRowKey(pid: columns["pid"] ?? nil, candid: columns["candid"] ?? nil)] = columns
        }
        var rows: [StoredAlertRows.Row] = []
        var historyRetired: Bool?
        for i in stride(from: 0, to: elements.count, by: 2) {
            let key = HistoryRowKey(pid: elements[i], candid: elements[i + 1])
            if let row = byKey[key] {
                rows.append(row)
                continue
            }
            // A month of history retired by `alertdb retention` takes its rows out of the
            // packets that carried them; otherwise a missing row is a fault.
            if historyRetired == nil {
                historyRetired = try db.execute("SELECT 1 FROM retired_partition WHERE parent = 'prv_candidate' LIMIT 1").rowCount > 0
            }
            guard historyRetired == true else {
                throw AlertDBError.database("history row pid \(key.pid ?? "NULL"), candid \(key.candid ?? "NULL") of \(objectId) is not stored")
            }
        }
        return rows
    }

    /// A history row's key as PostgreSQL prints it.
    private struct HistoryRowKey: Hashable {
        let pid: String?
        let candid: String?
    }
}
