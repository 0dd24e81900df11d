import Postgres

/// Stores the Rubin alerts of a batch, inside the batch's transaction (`AlertLoader`): the
/// sources not stored yet, their stamps, the history and forced-photometry rows not stored yet,
/// and the latest state of their objects. Loading is idempotent by diaSourceId, as ZTF's is by
/// candid; rows go in key order in every loader, so that two loaders never wait in a circle.
struct RubinLoader {
    let db: Connection
    let columns: RubinColumns
    static let cutoutColumns = ["diaSourceId", "kind", "stamp_data", "midpointMjdTai"]

    /// Makes the month partitions (Migrations/0013) the rows of `alerts` go to: the alerts'
    /// months in dia_source and dia_source_cutout, their history's and forced photometry's in
    /// their tables. First in the batch's transaction, as `AlertLoader.ensurePartitions`. Each
    /// time is sent as its day (MJD days start at midnight), so that a batch sends a few values.
    func ensurePartitions(for alerts: [EncodedRubinAlert]) throws {
        func days<S: Sequence>(_ mjds: S) -> [Double] where S.Element == Double? {
            Array(Set(mjds.lazy.compactMap { $0 }.filter(\.isFinite).map { $0.rounded(.down) })).sorted()
        }
        let alertDays = days(alerts.lazy.map(\.midpointMjdTai))
        try db.execute("""
            SELECT ensure_partitions('dia_source', \(alertDays)), ensure_partitions('dia_source_cutout', \(alertDays)),
                   ensure_partitions('prv_dia_source', \(days(alerts.lazy.flatMap { $0.history.lazy.map(\.midpointMjdTai) }))),
                   ensure_partitions('prv_dia_forced_source', \(days(alerts.lazy.flatMap { $0.forced.lazy.map(\.midpointMjdTai) })))
            """)
    }

    /// Stores what is new of `alerts`; returns (loaded, duplicate, history rows).
    func store(_ alerts: [EncodedRubinAlert]) throws -> (loaded: Int, duplicate: Int, historyRows: Int) {
        guard !alerts.isEmpty else { return (0, 0, 0) }
        let claimed = try claim(alerts)
        // Each claimed diaSourceId once: a batch may hold a packet twice.
        var seen = Set<Int64>()
        let fresh = alerts.filter { claimed.contains($0.diaSourceId) && seen.insert($0.diaSourceId).inserted }
            .sorted { $0.diaSourceId < $1.diaSourceId }
        guard !fresh.isEmpty else { return (0, alerts.count, 0) }
        try db.copyBinary(into: "dia_source", columns: columns.source.map(\.name), rows: fresh.lazy.map(\.sourceRow.bytes))
        try db.copyBinary(into: "dia_source_cutout", columns: Self.cutoutColumns, rows: fresh.lazy.map(\.cutoutRows.bytes))
        let history = try storeHistory(of: fresh) + (try storeForced(of: fresh))
        try storeObjects(of: fresh)
        return (fresh.count, alerts.count - fresh.count, history)
    }

    /// Claims the diaSourceIds of `alerts` in `dia_source_key` and returns those claimed: one
    /// stored already, or claimed by another loader that has since committed, is not (a loader
    /// holding it uncommitted is waited for). The key keeps diaSourceId unique across the month
    /// partitions of dia_source, whose own unique key must hold the time.
    private func claim(_ alerts: [EncodedRubinAlert]) throws -> Set<Int64> {
        var timeOf: [Int64: Double?] = [:]
        for alert in alerts where timeOf[alert.diaSourceId] == nil { timeOf[alert.diaSourceId] = .some(alert.midpointMjdTai) }
        let ids = timeOf.keys.sorted()
        let rows = try db.execute(#"""
            INSERT INTO dia_source_key ("diaSourceId", "midpointMjdTai")
            SELECT k.id, k.t FROM unnest(\#(ids), \#(ids.map { timeOf[$0]! })) AS k (id, t) ORDER BY k.id
            ON CONFLICT ("diaSourceId") DO NOTHING RETURNING "diaSourceId"
            """#).rows
        return Set(try rows.map { try $0.decode(0, as: Int64.self) })
    }

    /// Copies the prvDiaSources entries whose diaSourceId is not stored yet, each once.
    private func storeHistory(of alerts: [EncodedRubinAlert]) throws -> Int {
        let ids = Array(Set(alerts.lazy.flatMap { $0.history.map(\.diaSourceId) }))
        guard !ids.isEmpty else { return 0 }
        let stored = try db.execute(#"SELECT "diaSourceId" FROM prv_dia_source WHERE "diaSourceId" = ANY(\#(ids))"#)
        var known = Set(try stored.rows.map { try $0.decode(0, as: Int64.self) })
        var rows: [(id: Int64, bytes: ArraySlice<UInt8>)] = []
        for alert in alerts {
            for entry in alert.history where known.insert(entry.diaSourceId).inserted {
                rows.append((entry.diaSourceId, alert.historyRows.bytes[entry.range]))
            }
        }
        guard !rows.isEmpty else { return 0 }
        rows.sort { $0.id < $1.id }
        return try db.copyBinary(into: "prv_dia_source", columns: columns.historySource.map(\.name), rows: rows.lazy.map(\.bytes))
    }

    /// Copies the prvDiaForcedSources entries whose (object, visit) is not stored yet, each once.
    private func storeForced(of alerts: [EncodedRubinAlert]) throws -> Int {
        let keys = Set(alerts.lazy.flatMap { $0.forced.map(\.key) })
        guard !keys.isEmpty else { return 0 }
        let objects = Array(Set(keys.compactMap(\.diaObjectId)))
        let anyWithoutObject = keys.contains { $0.diaObjectId == nil }
        let stored = try db.execute("""
            SELECT "diaObjectId", coalesce(visit, "ccdVisitId") AS visit FROM prv_dia_forced_source
            WHERE "diaObjectId" = ANY(\(objects)) OR (\(anyWithoutObject) AND "diaObjectId" IS NULL)
            """)
        var known = Set(try stored.rows.map {
            RubinForcedKey(diaObjectId: try $0.decode("diaObjectId"), visit: try $0.decode("visit"))
        })
        var rows: [(key: RubinForcedKey, bytes: ArraySlice<UInt8>)] = []
        for alert in alerts {
            for entry in alert.forced where known.insert(entry.key).inserted {
                rows.append((entry.key, alert.forcedRows.bytes[entry.range]))
            }
        }
        guard !rows.isEmpty else { return 0 }
        rows.sort { $0.key < $1.key }
        return try db.copyBinary(into: "prv_dia_forced_source", columns: columns.forcedSource.map(\.name), rows: rows.lazy.map(\.bytes))
    }

    /// Replaces each object's state with the diaObject of its latest alert in the batch, when
    /// that alert is later (midpointMjdTai, then diaSourceId) than the one the stored state is
    /// from. The insert takes each row's lock, in diaObjectId order, so two loaders holding
    /// alerts of one object take turns, and the later alert's state stays whichever commits first.
    private func storeObjects(of alerts: [EncodedRubinAlert]) throws {
        var latest: [Int64: EncodedRubinAlert] = [:]
        for alert in alerts where alert.objectRow != nil {
            guard let id = alert.diaObjectId else { continue }
            if let other = latest[id], Self.order(other) >= Self.order(alert) { continue }
            latest[id] = alert
        }
        guard !latest.isEmpty else { return }
        try db.execute("CREATE TEMPORARY TABLE IF NOT EXISTS dia_object_stage (LIKE dia_object INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        let names = columns.object.map(\.name)
        let rows = latest.sorted { $0.key < $1.key }.map { $0.value.objectRow!.bytes }
        try db.copyBinary(into: "dia_object_stage", columns: names, rows: rows)
        let targets = SQL.joined((names + ["updated_at"]).map(SQL.identifier), separator: ", ")
        let values = SQL.joined(names.map { "EXCLUDED.\(SQL.identifier($0))" as SQL } + ["now()" as SQL], separator: ", ")
        try db.execute("""
            INSERT INTO dia_object SELECT * FROM dia_object_stage ORDER BY "diaObjectId"
            ON CONFLICT ("diaObjectId") DO UPDATE SET (\(targets)) = (\(values))
            WHERE (coalesce(EXCLUDED."latestMidpointMjdTai", '-Infinity'), EXCLUDED."latestDiaSourceId")
                > (coalesce(dia_object."latestMidpointMjdTai", '-Infinity'), dia_object."latestDiaSourceId")
            """)
    }

    private static func order(_ alert: EncodedRubinAlert) -> (Double, Int64) {
        (alert.midpointMjdTai ?? -.infinity, alert.diaSourceId)
    }
}
