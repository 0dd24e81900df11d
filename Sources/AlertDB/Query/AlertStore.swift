import Foundation
import Postgres

/// One page of the listing.
public struct ListingPage: Sendable {
    /// The page's alerts, in order (empty when only ids were asked for).
    public let alerts: [AlertRecord]
    /// The page's alert ids, in order.
    public let ids: [Int64]
    /// Exact up to `ListingPage.exactCountLimit`; beyond, an estimate (at least the limit + 1).
    public let count: Int
    public let countIsEstimate: Bool
    public let hasNext: Bool
    public let hasPrevious: Bool
    /// The cursor token of the page after this one, when there is one.
    public let nextCursor: String?
    /// The cursor token of the page before this one, for pages reached by cursor.
    public let previousCursor: String?

    /// Counting stops here: counting every match of a broad filter costs a scan of the table.
    public static let exactCountLimit = 10_000
}

/// The queries behind the API's routes. Each call runs on the connection it is given; the
/// only state kept is which filters are known to match more than the exact-count cap.
public struct AlertStore: Sendable {
    let cappedCounts: CappedCounts
    /// Matches are counted exactly up to this many (the API's 10,000; tests use less).
    let countLimit: Int

    public init(cappedCounts: CappedCounts = CappedCounts(), countLimit: Int = ListingPage.exactCountLimit) {
        self.cappedCounts = cappedCounts
        self.countLimit = countLimit
    }

    // MARK: - Listing

    /// One page of `query`, `limit` alerts at most.
    ///
    /// The matches are counted first, up to the cap, and the count decides the plan. Few
    /// matches: they were just collected through the filter's own index, so the page is sorted
    /// from them in the same statement (planned once: q3c spends milliseconds planning a cone).
    /// Left to itself the planner may instead walk the jd index hoping to meet 100 matches
    /// early, and read most of the table when they are rare. Many matches: walking the sort
    /// order meets them quickly, so a second statement does that; and as alerts are only
    /// added, the filter is remembered as broad (`CappedCounts`) and not counted again.
    ///
    /// With `idsOnly`, the page carries ids but no alerts (for callers that have them already).
    public func listing(_ query: ListingQuery, limit: Int = ListingQuery.pageSize, idsOnly: Bool = false,
                        db: Connection) throws -> ListingPage {
        let filter = query.conditions.isEmpty ? "TRUE" : query.conditions.joined(separator: " AND ")
        let cap = countLimit

        var parameters = query.parameters
        // Going back from a cursor reads the listing in reverse from it, then turns the page round.
        let backward = query.cursor?.backward ?? false
        let ascending = query.ascending != backward
        let after = query.cursor.map { cursorCondition($0, ascending: ascending, type: query.sortType, parameters: &parameters) } ?? "TRUE"
        let direction = ascending ? "ASC" : "DESC"
        let sort = quoted(query.sortColumn)
        let order = "c.\(sort) \(direction), c.id \(direction)"
        let offset = (query.pageNumber.map { $0 - 1 } ?? 0) * limit
        let columns = idsOnly ? "c.id, c.\(sort)" : "c.*"
        let countKey = CappedCounts.key(filter, query.parameters)
        let walk = "SELECT \(columns) FROM candidate c WHERE \(filter) AND \(after) ORDER BY \(order) LIMIT \(limit + 1) OFFSET \(offset)"

        var count = 0, estimated = false
        var rows: RowDecoder
        if query.conditions.isEmpty, let total = try tableEstimate(db: db), total > 10 * cap {
            // Every alert matches and the catalogue says there are far more than the cap:
            // counting 10,001 of them would only confirm it.
            (count, estimated) = (total, true)
            rows = RowDecoder(try db.execute(walk, parameters))
        } else if let known = cappedCounts.estimate(countKey) {
            (count, estimated) = (known, true)
            rows = RowDecoder(try db.execute(walk, parameters))
        } else {
            rows = RowDecoder(try db.execute("""
                WITH matches AS MATERIALIZED (SELECT c.id, c.\(sort) FROM candidate c WHERE \(filter) LIMIT \(cap + 1)),
                     total AS (SELECT count(*) AS match_count FROM matches),
                     page AS (SELECT c.id FROM matches c WHERE \(after) AND (SELECT match_count FROM total) <= \(cap)
                              ORDER BY \(order) LIMIT \(limit + 1) OFFSET \(offset))
                SELECT t.match_count, \(columns) FROM total t LEFT JOIN (candidate c JOIN page USING (id)) ON TRUE
                ORDER BY \(order)
                """, parameters))
            count = rows.int64(0, "match_count").map(Int.init) ?? 0
            if count > cap {
                estimated = true
                count = max(cap + 1, try estimate(filter, query.parameters, db: db))
                cappedCounts.record(countKey, estimate: count)
                rows = RowDecoder(try db.execute(walk, parameters))
            }
        }
        let shown = min(rows.count, limit)
        var rowOrder = Array(0..<shown)
        if backward { rowOrder.reverse() }
        let alerts = idsOnly ? [] : rowOrder.map { rows.alert($0) }
        let ids = rowOrder.map { rows.int64($0, "id") ?? 0 }
        let more = rows.count > limit
        let hasNext = backward || more
        let hasPrevious = backward ? more : (query.cursor != nil || (query.pageNumber ?? 1) > 1)
        func token(_ row: Int?, backward: Bool) -> String? {
            guard let row else { return nil }
            return Cursor(sortColumn: query.sortColumn, ascending: query.ascending, value: rows.text(row, query.sortColumn),
                          id: rows.int64(row, "id") ?? 0, backward: backward).token
        }
        return ListingPage(alerts: alerts, ids: ids, count: count, countIsEstimate: estimated, hasNext: hasNext, hasPrevious: hasPrevious,
                           nextCursor: hasNext ? token(rowOrder.last, backward: false) : nil,
                           previousCursor: hasPrevious && query.cursor != nil ? token(rowOrder.first, backward: true) : nil)
    }

    /// Rows strictly after the cursor's row in the order `ascending` gives. PostgreSQL puts
    /// NULLs first when descending and last when ascending; the condition follows that.
    private func cursorCondition(_ cursor: Cursor, ascending: Bool, type: String, parameters: inout [String?]) -> String {
        func bind(_ value: String, _ type: String) -> String {
            parameters.append(value)
            return "$\(parameters.count)::\(type)"
        }
        let column = "c." + quoted(cursor.sortColumn)
        let id = bind(String(cursor.id), "bigint")
        guard let value = cursor.value else {
            return ascending ? "(\(column) IS NULL AND c.id > \(id))"
                             : "((\(column) IS NULL AND c.id < \(id)) OR \(column) IS NOT NULL)"
        }
        let typed = bind(value, type)
        return ascending ? "((\(column), c.id) > (\(typed), \(id)) OR \(column) IS NULL)"
                         : "(\(column), c.id) < (\(typed), \(id))"
    }

    /// The number of alerts by the catalogue (kept by VACUUM and ANALYZE), or nil when the
    /// table has never been analysed.
    private func tableEstimate(db: Connection) throws -> Int? {
        let value = try db.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'candidate'::regclass")[0, 0]
        return value.flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    /// The planner's estimate of the matches, from `EXPLAIN`'s first line (`rows=N`).
    private func estimate(_ filter: String, _ parameters: [String?], db: Connection) throws -> Int {
        let plan = try db.execute("EXPLAIN SELECT 1 FROM candidate c WHERE \(filter)", parameters)[0, 0] ?? ""
        guard let range = plan.range(of: "rows=") else { return 0 }
        return Int(plan[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    // MARK: - One alert

    /// The alerts with these ids, by id (ids with no alert are left out).
    public func alerts(ids: [Int64], db: Connection) throws -> [Int64: AlertRecord] {
        guard !ids.isEmpty else { return [:] }
        let rows = RowDecoder(try db.execute("SELECT c.* FROM candidate c WHERE c.id = ANY($1::bigint[])",
                                             [Connection.arrayLiteral(ids.map(String.init))]))
        var found: [Int64: AlertRecord] = [:]
        for row in 0..<rows.count {
            let alert = rows.alert(row)
            found[alert.id] = alert
        }
        return found
    }

    public func alert(id: Int64, db: Connection) throws -> AlertRecord? {
        let rows = RowDecoder(try db.execute("SELECT c.* FROM candidate c WHERE c.id = $1::bigint", [String(id)]))
        return rows.count == 0 ? nil : rows.alert(0)
    }

    /// The object's other stored alerts, its history detections and its non-detections, by jd.
    /// A history detection that is also a stored alert is shown once, as the alert.
    public func history(of alert: AlertRecord, db: Connection) throws -> [HistoryEntry] {
        let others = RowDecoder(try db.execute(
            "SELECT c.* FROM candidate c WHERE c.\"objectId\" = $1 AND c.id <> $2::bigint",
            [alert.objectId, String(alert.id)]))
        let previous = RowDecoder(try db.execute("""
            SELECT p.* FROM prv_candidate p
            WHERE p."objectId" = $1
              AND (p.candid IS NULL OR p.candid NOT IN (SELECT candid FROM candidate WHERE "objectId" = $1))
            """, [alert.objectId]))
        var entries: [(jd: Double, entry: HistoryEntry)] = []
        for row in 0..<others.count {
            let record = others.alert(row)
            entries.append((others.double(row, "jd") ?? 0, HistoryEntry(kind: .alert(id: record.id), candidate: record.candidate)))
        }
        for row in 0..<previous.count {
            let kind: HistoryEntry.Kind = previous.text(row, "candid") == nil ? .nonDetection : .detection
            entries.append((previous.double(row, "jd") ?? 0, HistoryEntry(kind: kind, candidate: previous.fields(row))))
        }
        return entries.sorted { $0.jd < $1.jd }.map(\.entry)
    }

    /// The light curve: this alert and its history, by jd.
    public static func photometry(of alert: AlertRecord, history: [HistoryEntry]) -> [PhotometryPoint] {
        let points = ([alert.candidate] + history.map(\.candidate)).compactMap { fields -> PhotometryPoint? in
            guard let jd = fields["jd"].double, let filter = fields["filter"].string else { return nil }
            return PhotometryPoint(jd: jd, filter: filter, magpsf: fields["magpsf"].double, sigmapsf: fields["sigmapsf"].double,
                                   diffmaglim: fields["diffmaglim"].double, isdiffpos: fields["isdiffpos"].string)
        }
        return points.sorted { $0.jd < $1.jd }
    }

    // MARK: - Latest, cutouts

    /// The newest alert by observation time, or nil when none is stored.
    public func latest(db: Connection, now: Double = JulianDate.now) throws -> LatestAlert? {
        let result = try db.execute("SELECT id, candid, jd FROM candidate ORDER BY jd DESC, id DESC LIMIT 1")
        guard result.rowCount == 1, let id = result[0, 0].flatMap({ Int64($0) }), let candid = result[0, 1].flatMap({ Int64($0) }),
              let jd = result[0, 2].flatMap({ Double($0) }) else { return nil }
        return LatestAlert(id: id, candid: candid, jd: jd, wallTime: JulianDate.isoTime(jd), ageSeconds: (now - jd) * 86400)
    }

    /// The stamps stored for an alert, without their bytes (the first few tell the format).
    public func cutouts(candid: Int64, db: Connection) throws -> [CutoutInfo] {
        let result = try db.executeBinary(
            "SELECT kind, file_name, substring(stamp_data FROM 1 FOR 8) FROM cutout WHERE candid = $1::bigint ORDER BY kind",
            [String(candid)])
        return (0..<result.rowCount).map { row in
            CutoutInfo(kind: result.bytes(row, 0).map { String(decoding: $0, as: UTF8.self) } ?? "",
                       fileName: result.bytes(row, 1).map { String(decoding: $0, as: UTF8.self) },
                       format: CutoutImage.format(of: result.bytes(row, 2) ?? []))
        }
    }

    /// One stamp of an alert as received, or nil.
    public func cutout(alertID: Int64, kind: String, db: Connection) throws -> (fileName: String?, bytes: [UInt8])? {
        let result = try db.executeBinary("""
            SELECT s.file_name, s.stamp_data FROM cutout s JOIN candidate c ON c.candid = s.candid
            WHERE c.id = $1::bigint AND s.kind = $2
            """, [String(alertID), kind])
        guard result.rowCount == 1, let bytes = result.bytes(0, 1) else { return nil }
        return (result.bytes(0, 0).map { String(decoding: $0, as: UTF8.self) }, bytes)
    }
}
