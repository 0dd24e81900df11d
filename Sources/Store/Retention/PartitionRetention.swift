import Model
import Postgres

/// How long rows of one kind are kept: a number of days, or forever.
public struct RetentionAge: Equatable, Sendable, CustomStringConvertible {
    /// Nil: kept forever.
    public let days: Int?

    public static let never = RetentionAge(days: nil)

    public init(days: Int?) { self.days = days }

    /// `never`, or a number with a unit: `90d`, `6m` (30 days each), `1y` (365 days).
    public init(parsing text: String, setting: String) throws {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "never" { self = .never; return }
        let units: [Character: Int] = ["d": 1, "m": 30, "y": 365]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), count > 0, count <= 100_000 else {
            throw AlertDBError.invalidInput("\(setting) must be never or a number of days, months or years (90d, 6m, 1y), not '\(text.prefix(40))'")
        }
        days = count * unit
    }

    public var description: String { days.map { "\($0) days" } ?? "never" }
}

/// How long each table's rows are kept (`alertdb retention`, `ALERTDB_RETAIN_*`).
public struct RetentionPolicy: Sendable {
    public var cutouts: RetentionAge
    public var history: RetentionAge
    public var alerts: RetentionAge

    public init(cutouts: RetentionAge, history: RetentionAge, alerts: RetentionAge) {
        (self.cutouts, self.history, self.alerts) = (cutouts, history, alerts)
    }

    /// The tables in the order they are retired, and each one's age: ZTF's, then Rubin's
    /// (Migrations/0013), under the same ages. A stamp belongs to its alert, so alerts retired
    /// take their stamps with them even when stamps are kept longer.
    var ages: [(table: String, age: RetentionAge)] {
        let cutoutAge = RetentionAge(days: [cutouts.days, alerts.days].compactMap { $0 }.min())
        return [("cutout", cutoutAge), ("prv_candidate", history), ("candidate", alerts),
                ("dia_source_cutout", cutoutAge), ("prv_dia_source", history), ("prv_dia_forced_source", history),
                ("dia_source", alerts)]
    }
}

/// One month partition past its table's age.
public struct RetiredMonth: Equatable, Sendable {
    public let table: String
    public let partition: String
    /// The month's first day, `YYYY-MM-DD`.
    public let month: String
    public let rows: Int
    public let keptDays: Int
}

/// Retires month partitions (Migrations/0009) older than a policy's ages: drops them, or
/// detaches them (the table stays, renamed `<partition>_retired`, for an operator to archive
/// and drop), and records each in `retired_partition`, which the pages read to say that a
/// cutout was retired rather than never received. A month is retired only when all of it is
/// older than the age. Each month goes in a transaction of its own.
///
/// Retiring history rows or alerts changes what objects' figures count: the objects of a
/// retired month are recomputed (`ObjectTable`), and an object with no alert left loses its
/// row (ZTF's `object`, Rubin's `dia_object`). Retiring alerts also drops their keys
/// (`candidate_key`, `dia_source_key`) and takes `alert_count` down.
public struct PartitionRetention {
    public let db: Connection

    public init(db: Connection) { self.db = db }

    /// What `policy` retires now, oldest first per table.
    public func plan(_ policy: RetentionPolicy) throws -> [RetiredMonth] {
        var months: [RetiredMonth] = []
        for (table, age) in policy.ages {
            guard let days = age.days else { continue }
            // The bounds of each partition, read from the catalogue as Julian dates (a Rubin
            // table's are MJDs); a month whose upper bound is before now - age holds only rows
            // older than the age.
            let rows = try db.execute("""
                SELECT p.relid::regclass::text AS partition, b.lower, b.upper, jd_month(b.lower)::text AS month
                FROM pg_partition_tree(\(table)::regclass) p
                JOIN pg_class c ON c.oid = p.relid,
                LATERAL (SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''?([^'')]+)''?\\) TO \\(''?([^'')]+)''?\\)')) AS m) r,
                LATERAL (SELECT r.m[1]::double precision + partition_key_origin(\(table)) AS lower,
                                r.m[2]::double precision + partition_key_origin(\(table)) AS upper) b
                WHERE p.isleaf AND p.level = 1 AND r.m IS NOT NULL
                  AND b.upper <= extract(epoch FROM now()) / 86400 + 2440587.5 - \(days)
                ORDER BY b.lower
                """).rows
            for row in rows {
                let partition: String = try row.decode("partition")
                let count = try db.execute("SELECT count(*) AS n FROM \(SQL.identifier(partition))")[0].decode("n", as: Int.self)
                months.append(RetiredMonth(table: table, partition: partition, month: try row.decode("month"), rows: count, keptDays: days))
            }
        }
        return months
    }

    /// Retires `month`: detaches its partition when `detach`, else drops it.
    public func retire(_ month: RetiredMonth, detach: Bool) throws {
        try db.transaction {
            let partition = SQL.identifier(month.partition), parent = SQL.identifier(month.table)
            // The objects whose figures count these rows, read before they go.
            var objects: [String] = []
            if month.table == "prv_candidate" || month.table == "candidate" {
                objects = try db.execute(#"SELECT DISTINCT "objectId" FROM \#(partition)"#).rows.map { try $0.decode(0, as: String.self) }
            }
            // Their stamps went first (RetentionPolicy.ages); the keys go, so the alerts could be
            // loaded anew. The keys have no index on time: the month is the one the partition
            // key's value falls in, as for the rows themselves.
            if month.table == "candidate" {
                try db.execute("DELETE FROM candidate_key WHERE jd_month(jd) = \(month.month)::date")
                try db.execute("UPDATE alert_count SET stored = stored - \(month.rows)")
            }
            var rubinObjects: [Int64] = []
            if month.table == "dia_source" {
                rubinObjects = try db.execute(#"SELECT DISTINCT "diaObjectId" FROM \#(partition) WHERE "diaObjectId" IS NOT NULL"#).rows
                    .map { try $0.decode(0, as: Int64.self) }
                try db.execute(#"DELETE FROM dia_source_key WHERE mjd_month("midpointMjdTai") = \#(month.month)::date"#)
                try db.execute("UPDATE alert_count SET rubin_stored = rubin_stored - \(month.rows)")
            }
            if detach {
                try db.execute("ALTER TABLE \(parent) DETACH PARTITION \(partition)")
                try db.execute("ALTER TABLE \(partition) RENAME TO \(SQL.identifier(month.partition + "_retired"))")
            } else {
                try db.execute("DROP TABLE \(partition)")
            }
            try db.execute("""
                INSERT INTO retired_partition (parent, month, action, kept_days)
                VALUES (\(month.table), \(month.month)::date, \(detach ? "detached" : "dropped"), \(month.keptDays))
                ON CONFLICT (parent, month) DO UPDATE SET action = excluded.action, kept_days = excluded.kept_days, retired_at = now()
                """)
            for start in stride(from: 0, to: objects.count, by: 1000) {
                let chunk = Array(objects[start..<min(start + 1000, objects.count)])
                try ObjectTable.refresh(Set(chunk), db: db)
                try db.execute(#"""
                    DELETE FROM object o WHERE o."objectId" = ANY(\#(chunk))
                      AND NOT EXISTS (SELECT FROM candidate c WHERE c."objectId" = o."objectId")
                    """#)
            }
            // A Rubin object's state is its latest packet's diaObject, which a retired month does
            // not change; an object with no alert left goes.
            if !rubinObjects.isEmpty {
                try db.execute(#"""
                    DELETE FROM dia_object o WHERE o."diaObjectId" = ANY(\#(rubinObjects))
                      AND NOT EXISTS (SELECT FROM dia_source d WHERE d."diaObjectId" = o."diaObjectId")
                    """#)
            }
        }
    }
}
