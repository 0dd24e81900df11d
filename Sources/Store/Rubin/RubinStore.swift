import Model
import Postgres

/// One page of a Rubin listing: each row already JSON text, as PostgreSQL wrote it (numbers in
/// their shortest exact form, NaN as "NaN").
public struct RubinListingPage: Sendable {
    public let rows: [String]
    /// The key of each row (`diaSourceId` or `diaObjectId`), in order.
    public let keys: [Int64]
    /// Exact up to `ListingPage.exactCountLimit`; beyond, that limit plus one.
    public let count: Int
    public let countIsCapped: Bool
    /// The cursor of the next page, when there is one.
    public let nextCursor: String?
}

/// The JSON of listing rows the server keeps (its render cache), by key and, for a table whose
/// rows change, version (`RubinTable.version`): `lookup` finds a row, `keep` is given each row
/// the listing had to read.
public struct RenderedRows {
    public let lookup: (_ key: Int64, _ version: Int64?) -> String?
    public let keep: (_ key: Int64, _ version: Int64?, _ json: String) -> Void

    public init(lookup: @escaping (_ key: Int64, _ version: Int64?) -> String?,
                keep: @escaping (_ key: Int64, _ version: Int64?, _ json: String) -> Void) {
        (self.lookup, self.keep) = (lookup, keep)
    }
}

/// The queries behind `/rubin/`: the listings of sources and objects, a source with its
/// history and forced photometry, an object with its light curve, the stamps.
public enum RubinStore {
    /// `31.4 - 2.5 log10(flux)` for a flux in nJy; NULL when the flux is not positive (or NaN).
    static func magnitude(_ flux: SQL) -> SQL {
        // Positive and finite: PostgreSQL sorts NaN above 'Infinity'.
        "CASE WHEN \(flux) > 0 AND \(flux) < 'Infinity' THEN 31.4 - 2.5 * log((\(flux))::float8) END"
    }

    /// A page of `table`, newest first. With `rendered`, the JSON of each row it has already (a
    /// stored source never changes; an object's row is asked for with its version) is taken
    /// from it: the page reads its keys, then the JSON of only the others, which is most of a
    /// page's cost (the JSON of some 250 columns, about 0.1 ms a row).
    ///
    /// The matches are counted up to the cap and the page is sorted from them in one statement,
    /// as ZTF's listing does: they are collected through the filter's own index (a cone's q3c,
    /// an object's sources), where the planner left to itself may walk the time order hoping to
    /// meet a page early, and read most of the table when the matches are few. A filter that
    /// matched more than the cap is remembered in `counts` (Rubin's alerts are only added); its
    /// pages walk the order, which meets its matches quickly, and it is not counted again.
    public static func listing(_ query: RubinListingQuery, table: RubinTable, limit: Int = ListingQuery.pageSize,
                               counts: CappedCounts? = nil, rendered: RenderedRows? = nil,
                               db: Connection) throws -> RubinListingPage {
        let filter = query.conditions.isEmpty ? "TRUE" : SQL.joined(query.conditions, separator: " AND ")
        let alias = SQL(unchecked: table.alias)
        let key = table.column(table.key)
        let order = query.order
        let after: SQL = query.cursor.map { order.after($0, table) } ?? "TRUE"
        let from: SQL = "\(SQL.identifier(table.name)) \(alias)"
        let cap = ListingPage.exactCountLimit
        let json = table.json.sql
        let offset = (query.page - 1) * limit
        // Each row's key and sort value (printed by PostgreSQL, for the cursor), and its JSON
        // unless the server may have it rendered already (then its version, if rows change).
        let versionColumn = rendered == nil ? nil : table.version
        let version = versionColumn.map(table.column)
        let shown: SQL = rendered == nil ? "\(key) AS key, (\(order.value))::text AS sort, \(json)::text AS json"
            : version.map { "\(key) AS key, (\(order.value))::text AS sort, \($0) AS version" } ?? "\(key) AS key, (\(order.value))::text AS sort"
        let walk: SQL = "SELECT \(shown) FROM \(from) WHERE \(filter) AND \(after) ORDER BY \(order.orderBy(table)) LIMIT \(limit + 1) OFFSET \(offset)"
        let remembered: SQL = "rubin \(from) \(filter)"

        var count = cap + 1
        var rows: [Row]
        let walkOnce = { (walk: SQL) in try db.execute(walk, plannedOnce: query.walkPlannedOnce) }
        if counts?.estimate(remembered) != nil {
            rows = try walkOnce(walk).rows
        } else {
            // The matches carry the columns `after`, the order and the version read, under the
            // table's alias: the page's keys, sort values and versions come from them, and only
            // its rows' JSON, when the server has not rendered them, from the table (by key, which
            // probes every month's index of a partitioned table).
            var matchedColumns = [table.key]
            for name in [order.column, versionColumn].compactMap({ $0 }) where !matchedColumns.contains(name) { matchedColumns.append(name) }
            let matched = SQL.joined(matchedColumns.map(table.column), separator: ", ")
            let pageRows: SQL = rendered == nil ? "(page p JOIN \(from) ON \(key) = p.\(SQL.identifier(table.key)))" : "page \(alias)"
            let run = { (statement: SQL) in try db.execute(statement, plannedOnce: query.plannedOnce) }
            let matches = SkyCone.matches(in: SQL.identifier(table.name), alias: alias, conditions: query.conditions, wideCone: query.wideCone)
            let counted = try run("""
                WITH matches AS MATERIALIZED (SELECT \(matched) FROM \(matches.from) WHERE \(matches.filter) LIMIT \(cap + 1)),
                     total AS (SELECT count(*) AS match_count FROM matches),
                     page AS (SELECT \(matched) FROM matches \(alias) WHERE \(after) AND (SELECT match_count FROM total) <= \(cap)
                              ORDER BY \(order.orderBy(table)) LIMIT \(limit + 1) OFFSET \(offset))
                SELECT t.match_count, \(shown)
                FROM total t LEFT JOIN \(pageRows) ON TRUE
                ORDER BY \(order.orderBy(table))
                """).rows
            count = try counted[0].decode("match_count", as: Int.self)
            if count > cap {
                counts?.record(remembered, estimate: count)
                rows = try walkOnce(walk).rows
            } else {
                // No page: the count's row alone, without a key.
                rows = try counted.filter { try $0.decode("key", as: Int64?.self) != nil }
            }
        }
        let keys = try rows.map { try $0.decode("key", as: Int64.self) }
        let sorts = try rows.map { try $0.decode("sort", as: String?.self) }
        let page: [String], pageKeys: [Int64]
        if let rendered {
            let versions = try rows.map { version == nil ? nil : try $0.decode("version", as: Int64?.self) }
            var texts = zip(keys, versions).prefix(limit).map(rendered.lookup)
            let missing = zip(keys, texts).filter { $0.1 == nil }.map(\.0)
            if !missing.isEmpty {
                // Kept under its version as it is now: a row changed since the page was read is
                // not kept under its old one.
                let columns: SQL = version.map { "\(key) AS key, \(json)::text AS json, \($0) AS version" } ?? "\(key) AS key, \(json)::text AS json"
                var fetched: [Int64: String] = [:]
                for row in try db.executeWithGenericPlan("SELECT \(columns) FROM \(from) WHERE \(key) = ANY(\(missing))").rows {
                    let id = try row.decode("key", as: Int64.self), text = try row.decode("json", as: String.self)
                    rendered.keep(id, version == nil ? nil : try row.decode("version", as: Int64?.self), text)
                    fetched[id] = text
                }
                for i in texts.indices where texts[i] == nil { texts[i] = fetched[keys[i]] }
            }
            // A row deleted between the two statements is left out, its key with it.
            let shown = zip(keys, texts).compactMap { key, text in text.map { (key, $0) } }
            (pageKeys, page) = (shown.map(\.0), shown.map(\.1))
        } else {
            page = try rows.prefix(limit).map { try $0.decode("json", as: String.self) }
            pageKeys = Array(keys.prefix(limit))
        }
        let next = keys.count > limit ? order.cursor(id: keys[limit - 1], printed: sorts[limit - 1]).token : nil
        return RubinListingPage(rows: page, keys: pageKeys, count: min(count, cap + 1), countIsCapped: count > cap, nextCursor: next)
    }

    /// A source: every stored field (`alert`, with `extra` and the diaObject as the packet gave
    /// it), the history rows and forced photometry its packet carried, in packet order, the
    /// object's latest state and the kinds of its stamps. Nil when no such source is stored.
    /// Planned once per connection: planning its 600 columns and four subqueries cost 3 ms, three
    /// times its running, and every source's plan is the same lookups by key.
    ///
    /// The source's time, from dia_source_key, lets the statement open only its month's partition
    /// of dia_source and of its stamps (pruned as it runs), as ZTF's alert page does: by id
    /// alone it probes every month's index. A source without a time (in the undated partition)
    /// is found by id alone, as is every source of a database not yet migrated to partitions.
    public static func source(_ id: Int64, catalogue: RubinCatalogue, db: Connection) throws -> String? {
        do {
            if let found = try source(id, catalogue: catalogue, inItsMonth: true, db: db) { return found }
        } catch let error as PostgresError where error.sqlState == .undefinedTable || error.sqlState == .undefinedColumn {
            // Migrations/0013 not applied yet: no dia_source_key, no time on the stamps.
        }
        return try source(id, catalogue: catalogue, inItsMonth: false, db: db)
    }

    private static func source(_ id: Int64, catalogue: RubinCatalogue, inItsMonth: Bool, db: Connection) throws -> String? {
        let month: SQL = inItsMonth
            ? #"AND d."midpointMjdTai" = (SELECT k."midpointMjdTai" FROM dia_source_key k WHERE k."diaSourceId" = \#(id))"#
            : ""
        let stampMonth: SQL = inItsMonth ? #"AND c."midpointMjdTai" = d."midpointMjdTai""# : ""
        let result = try db.executeWithGenericPlan("""
            SELECT json_build_object(
                'alert', \(catalogue.source.sql),
                'prvDiaSources', (SELECT coalesce(json_agg(\(catalogue.history.sql) ORDER BY k.n), '[]')
                                  FROM unnest(d."prvDiaSourceIds") WITH ORDINALITY AS k(id, n)
                                  JOIN prv_dia_source p ON p."diaSourceId" = k.id),
                'prvDiaForcedSources', (SELECT coalesce(json_agg(\(catalogue.forced.sql) ORDER BY f."midpointMjdTai", f."diaForcedSourceId"), '[]')
                                        FROM prv_dia_forced_source f
                                        WHERE f."diaObjectId" = d."diaObjectId"
                                          AND ARRAY[f."diaObjectId", coalesce(f.visit, f."ccdVisitId")] <@ d."prvDiaForcedSourceKeys"),
                'diaObject', (SELECT \(catalogue.objects.json.sql) FROM dia_object o WHERE o."diaObjectId" = d."diaObjectId"),
                'cutouts', (SELECT coalesce(json_agg(c.kind ORDER BY c.kind), '[]') FROM dia_source_cutout c
                            WHERE c."diaSourceId" = d."diaSourceId" \(stampMonth))
            )::text AS json
            FROM dia_source d WHERE d."diaSourceId" = \(id) \(month)
            """)
        return result.rowCount == 1 ? try result[0].decode("json", as: String.self) : nil
    }

    /// An object: its latest state and its light curve per band (u g r i z y, and any other
    /// band a packet named), each point with its flux (nJy) and AB magnitude: the detections
    /// (its stored alerts and the history rows of their packets, each source once) and,
    /// apart, the forced photometry. Nil when nothing of the object is stored. Planned once per
    /// connection, as a source is: every object's plan is the same lookups by key.
    ///
    /// Built as `json`, not `jsonb`, whose numbers go through `numeric`: 1e308 would print as
    /// 309 digits, an integer no JSON reader of the server holds.
    public static func object(_ id: Int64, db: Connection) throws -> String? {
        let point = { (alias: SQL, kind: String, identity: SQL) -> SQL in
            """
            json_build_object('kind', \(kind)::text, 'midpointMjdTai', \(alias)."midpointMjdTai", 'psfFlux', \(alias)."psfFlux",
                              'psfFluxErr', \(alias)."psfFluxErr", 'mag', \(magnitude("\(alias).\"psfFlux\"")), \(identity))
            """
        }
        let result = try db.executeWithGenericPlan("""
            WITH detections AS (
                SELECT d.band, d."midpointMjdTai", d."diaSourceId" AS id,
                       \(point("d", "alert", "'diaSourceId', d.\"diaSourceId\"")) AS p
                FROM dia_source d WHERE d."diaObjectId" = \(id)
                UNION ALL
                SELECT h.band, h."midpointMjdTai", h."diaSourceId",
                       \(point("h", "history", "'diaSourceId', h.\"diaSourceId\""))
                FROM prv_dia_source h WHERE h."diaObjectId" = \(id)
                  AND NOT EXISTS (SELECT 1 FROM dia_source d WHERE d."diaSourceId" = h."diaSourceId")
            ), forced AS (
                SELECT f.band, f."midpointMjdTai", f."diaForcedSourceId" AS id,
                       \(point("f", "forced", "'diaForcedSourceId', f.\"diaForcedSourceId\", 'visit', f.visit")) AS p
                FROM prv_dia_forced_source f WHERE f."diaObjectId" = \(id)
            ), bands AS (
                SELECT band FROM detections UNION SELECT band FROM forced
            )
            SELECT json_build_object(
                'diaObjectId', \(id),
                'diaObject', (SELECT row_to_json(o) FROM dia_object o WHERE o."diaObjectId" = \(id)),
                'alerts', (SELECT coalesce(json_agg(d."diaSourceId" ORDER BY d."diaSourceId"), '[]') FROM dia_source d WHERE d."diaObjectId" = \(id)),
                'lightcurve', (SELECT coalesce(json_object_agg(coalesce(b.band, '?'), json_build_object(
                    'detections', (SELECT coalesce(json_agg(x.p ORDER BY x."midpointMjdTai", x.id), '[]') FROM detections x WHERE x.band IS NOT DISTINCT FROM b.band),
                    'forced', (SELECT coalesce(json_agg(x.p ORDER BY x."midpointMjdTai", x.id), '[]') FROM forced x WHERE x.band IS NOT DISTINCT FROM b.band))
                    ORDER BY b.band), '{}')
                    FROM bands b)
            )::text AS json
            WHERE EXISTS (SELECT 1 FROM dia_object o WHERE o."diaObjectId" = \(id))
               OR EXISTS (SELECT 1 FROM dia_source d WHERE d."diaObjectId" = \(id))
            """)
        return result.rowCount == 1 ? try result[0].decode("json", as: String.self) : nil
    }

    /// A stored alert as the packet it arrived as, one JSON document (see `RubinExporter`),
    /// with its writer schema; nil when no such alert is stored.
    public static func packet(_ id: Int64, db: Connection) throws -> (schemaJSON: String, packetJSON: String)? {
        let notFields: SQL = "'extra' - 'diaObject' - 'prvDiaSourceIds' - 'prvDiaForcedSourceKeys' - 'schema_id' - 'ingested_at' - 'alertId' - 'observation_reason' - 'target_name'"
        let result = try db.execute("""
            SELECT s.definition AS schema, (
                jsonb_build_object(
                    'diaSourceId', coalesce(d.extra -> 'diaSourceId', to_jsonb(d."diaSourceId")),
                    'alertId', d."alertId", 'observation_reason', d.observation_reason, 'target_name', d.target_name,
                    'diaSource', to_jsonb(d) - \(notFields) || coalesce(d.extra -> 'diaSource', '{}'),
                    'diaObject', d."diaObject",
                    'prvDiaSources', CASE WHEN d."prvDiaSourceIds" IS NOT NULL THEN
                        (SELECT coalesce(jsonb_agg(to_jsonb(p) - 'extra' || coalesce(p.extra, '{}') ORDER BY k.n), '[]')
                         FROM unnest(d."prvDiaSourceIds") WITH ORDINALITY AS k(id, n) JOIN prv_dia_source p ON p."diaSourceId" = k.id) END,
                    'prvDiaForcedSources', CASE WHEN d."prvDiaForcedSourceKeys" IS NOT NULL THEN
                        (SELECT coalesce(jsonb_agg(to_jsonb(f) - 'extra' || coalesce(f.extra, '{}') ORDER BY i), '[]')
                         FROM generate_subscripts(d."prvDiaForcedSourceKeys", 1) AS i
                         JOIN prv_dia_forced_source f ON f."diaObjectId" IS NOT DISTINCT FROM d."prvDiaForcedSourceKeys"[i][1]
                          AND coalesce(f.visit, f."ccdVisitId") IS NOT DISTINCT FROM d."prvDiaForcedSourceKeys"[i][2]) END)
                || (SELECT coalesce(jsonb_object_agg('cutout' || c.kind, translate(encode(c.stamp_data, 'base64'), E'\n', '')), '{}')
                    FROM dia_source_cutout c WHERE c."diaSourceId" = d."diaSourceId")
                || coalesce(d.extra - 'diaSource' - 'diaSourceId', '{}')
            )::text AS packet
            FROM dia_source d JOIN avro_schema s ON s.id = d.schema_id
            WHERE d."diaSourceId" = \(id)
            """)
        guard result.rowCount == 1 else { return nil }
        return (try result[0].decode("schema"), try result[0].decode("packet"))
    }

    /// The newest source by observation time (through its index), if any, observed a day
    /// after now at the latest, as ZTF's (`AlertStore.latestAhead`). Planned once per
    /// connection, as ZTF's: planning the walk of every month's index costs more than it.
    public static func latest(db: Connection, now: Double = JulianDate.now) throws -> (diaSourceId: Int64, midpointMjdTai: Double)? {
        let latestMJD = RubinTime.mjdTai(julianDateUTC: now + AlertStore.latestAhead)
        let result = try db.executeWithGenericPlan("""
            SELECT "diaSourceId", "midpointMjdTai" FROM dia_source WHERE "midpointMjdTai" <= \(latestMJD)
            ORDER BY "midpointMjdTai" DESC, "diaSourceId" DESC LIMIT 1
            """)
        guard result.rowCount == 1 else { return nil }
        return (try result[0].decode("diaSourceId"), try result[0].decode("midpointMjdTai"))
    }

    /// A stamp of a source as received (Rubin's are plain FITS), or nil. Planned once per
    /// connection: planning the lookup over every month costs more than running it.
    public static func cutout(_ id: Int64, kind: String, db: Connection) throws -> [UInt8]? {
        let result = try db.executeWithGenericPlan("""
            SELECT stamp_data FROM dia_source_cutout WHERE "diaSourceId" = \(id) AND kind = \(kind)
            """, resultFormat: .binary)
        return result.rowCount == 1 ? try result[0].decode("stamp_data", as: [UInt8].self) : nil
    }

    /// How many days a source's stamps were kept before `alertdb retention` retired their month
    /// of `dia_source_cutout`, or nil when they were not retired.
    public static func cutoutsRetiredAfterDays(_ id: Int64, db: Connection) throws -> Int? {
        let result = try db.execute("""
            SELECT r.kept_days FROM dia_source_key k
            JOIN retired_partition r ON r.parent = 'dia_source_cutout' AND r.month = mjd_month(k."midpointMjdTai")
            WHERE k."diaSourceId" = \(id)
            """)
        return result.rowCount == 1 ? try result[0].decode("kept_days", as: Int.self) : nil
    }
}

extension ArchiveReader {
    public func rubinCatalogue() throws -> RubinCatalogue { try RubinCatalogue.read(from: db) }
    public func rubinListing(_ query: RubinListingQuery, table: RubinTable, rendered: RenderedRows? = nil) throws -> RubinListingPage {
        try RubinStore.listing(query, table: table, counts: store.cappedCounts, rendered: rendered, db: db)
    }
    public func rubinSource(_ id: Int64, catalogue: RubinCatalogue) throws -> String? { try RubinStore.source(id, catalogue: catalogue, db: db) }
    public func rubinObject(_ id: Int64) throws -> String? { try RubinStore.object(id, db: db) }
    public func rubinPacket(_ id: Int64) throws -> (schemaJSON: String, packetJSON: String)? { try RubinStore.packet(id, db: db) }
    public func rubinLatest() throws -> (diaSourceId: Int64, midpointMjdTai: Double)? { try RubinStore.latest(db: db) }
    public func rubinCutout(_ id: Int64, kind: String) throws -> [UInt8]? { try RubinStore.cutout(id, kind: kind, db: db) }
    public func rubinCutoutsRetiredAfterDays(_ id: Int64) throws -> Int? { try RubinStore.cutoutsRetiredAfterDays(id, db: db) }
}
