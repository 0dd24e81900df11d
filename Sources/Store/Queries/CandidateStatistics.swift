import Postgres

/// What PostgreSQL's statistics say of `candidate`, without counting: how many alerts there
/// are, and how many a filter is expected to match. The listing reports these past its count
/// cap, and decides from them whether a filter is broad enough to be walked instead of counted.
struct CandidateStatistics {
    /// The catalogue's count of alerts, or nil when no part of the table has been analysed.
    let total: Int?
    /// The month partitions the archive has filled, by name (so in time order), with the
    /// catalogue's count of each: those with at least a quarter of the largest month's rows.
    let fullMonths: [(name: String, rows: Double)]

    /// The catalogue's counts (kept by VACUUM and ANALYZE) of `candidate`'s partitions, or of
    /// the table itself when it is not partitioned. Autovacuum analyses every partition but
    /// never a partitioned parent, whose own figure stays -1. The months are the parent's
    /// direct children, read through `pg_inherits`' index: `pg_partition_tree` read all of
    /// `pg_class`, 1.1 ms a listing at 10 M alerts against 0.1 ms.
    static func read(db: Connection) throws -> CandidateStatistics {
        let result = try db.executeWithGenericPlan("""
            SELECT relname::text AS name, reltuples::float8 AS rows, false AS is_default
            FROM pg_class WHERE oid = 'candidate'::regclass AND relkind = 'r'
            UNION ALL
            SELECT p.relname::text, p.reltuples::float8, p.oid =
                       (SELECT partdefid FROM pg_partitioned_table WHERE partrelid = 'candidate'::regclass)
            FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
            WHERE i.inhparent = 'candidate'::regclass
            """)
        var total = 0.0
        var months: [(name: String, rows: Double)] = []
        for row in 0..<result.rowCount {
            let rows = try result.decode(row, 1, as: Double.self)
            guard rows >= 0 else { continue }   // never analysed
            total += rows
            let name = try result.decode(row, 0, as: String.self)
            if try !result.decode(row, 2, as: Bool.self), name != "candidate" { months.append((name, rows)) }
        }
        let largest = months.map(\.rows).max() ?? 0
        return CandidateStatistics(total: total > 0 ? Int(total) : nil,
                                   fullMonths: months.filter { $0.rows > 0 && $0.rows >= largest / 4 }.sorted { $0.name < $1.name })
    }

    /// The planner's estimate of the alerts `filter` matches.
    ///
    /// Planning a filter over every month costs about 0.3 ms a month (3.7 ms over the twelve
    /// of a 10 M-alert archive), so it is first asked of two months only, the oldest and the
    /// newest full one, each month's estimate scaled to the archive by the catalogue's counts.
    /// When the two agree within a factor of two, their mean is the answer. A filter
    /// correlated with time (`time__since`, jd bounds, `jdstarthist`, `candid`) matches
    /// differently in old and new months, so its two estimates disagree; it is planned over
    /// every month, as is any filter of an archive with fewer than two full months, and any
    /// whose month `alertdb retention` dropped since the catalogue was read.
    func matches(_ filter: SQL, db: Connection) throws -> Int {
        if let total, let oldest = fullMonths.first, let newest = fullMonths.last, fullMonths.count >= 2 {
            do {
                let scaled = try [oldest, newest].map { month in
                    Double(try db.plannedRows(of: "SELECT 1 FROM \(SQL.identifier(month.name)) c WHERE \(filter)"))
                        * Double(total) / month.rows
                }
                let low = max(scaled.min()!, 1), high = scaled.max()!
                if high <= 2 * low { return Int(((low + high) / 2).rounded()) }
            } catch let error as PostgresError where error.sqlState == .undefinedTable {}
        }
        return try db.plannedRows(of: "SELECT 1 FROM candidate c WHERE \(filter)")
    }
}
