import Foundation
import Model
import Postgres

/// One page of the objects listing.
public struct ObjectListingPage: Sendable {
    /// The page's objects, in order.
    public let objects: [ObjectRecord]
    /// Exact up to the count cap (`ListingPage.exactCountLimit`); beyond, an estimate.
    public let count: Int
    public let countIsEstimate: Bool
    public let hasNext: Bool
    public let hasPrevious: Bool
    /// The cursor token of the page after this one, when there is one.
    public let nextCursor: String?
    /// The cursor token of the page before this one, for pages reached by cursor.
    public let previousCursor: String?
}

/// The queries behind `/objects/` and `/objects/<objectId>/`. Figures are read from the
/// `object` table, which the loader keeps; only an object's light curve is read from its alerts
/// and history rows.
public struct ObjectStore: Sendable {
    let cappedCounts: CappedCounts
    /// Matches are counted exactly up to this many (the API's 10,000; tests use less).
    let countLimit: Int

    public init(cappedCounts: CappedCounts = CappedCounts(), countLimit: Int = ListingPage.exactCountLimit) {
        self.cappedCounts = cappedCounts
        self.countLimit = countLimit
    }

    // MARK: - Listing

    /// One page of `query`, `limit` objects at most, with the alert listing's plan
    /// (`AlertStore.listing`): the matches are counted first, up to the cap; few matches are
    /// sorted from what the count collected through the filter's index, many are walked in the
    /// sort order, and a filter known to match many is not counted again.
    public func listing(_ query: ObjectListingQuery, limit: Int = ListingQuery.pageSize, db: Connection) throws -> ObjectListingPage {
        let filter = query.conditions.isEmpty ? "TRUE" : SQL.joined(query.conditions, separator: " AND ")
        let cap = countLimit
        let sort = query.sort

        // Going back from a cursor reads the listing in reverse from it, then turns the page round.
        let backward = query.cursor?.backward ?? false
        let ascending = query.ascending != backward
        // Objects without the figure (no detection in that filter) come last in both orders.
        let missing: SQL? = sort.alwaysPresent ? nil : "(\(sort.sql) IS NULL)"
        let after: SQL = query.cursor.map { cursorCondition($0, sort: sort, ascending: ascending, missing: missing) } ?? "TRUE"
        let direction: SQL = ascending ? "ASC" : "DESC"
        var order: SQL = #"\#(sort.sql) \#(direction), o."objectId" \#(direction)"#
        if let missing {
            let missingOrder: SQL = backward ? "DESC" : "ASC"
            order = "\(missing) \(missingOrder), \(order)"
        }
        let offset = (query.pageNumber.map { $0 - 1 } ?? 0) * limit
        let walk: SQL = "SELECT o.* FROM object o WHERE \(filter) AND \(after) ORDER BY \(order) LIMIT \(limit + 1) OFFSET \(offset)"

        var count = 0, estimated = false
        var result: QueryResult
        if query.conditions.isEmpty, let total = try tableEstimate(db: db), total > 10 * cap {
            (count, estimated) = (total, true)
            result = try db.execute(walk)
        } else if let known = cappedCounts.estimate(filter) {
            (count, estimated) = (known, true)
            result = try db.execute(walk)
        } else {
            result = try db.execute("""
                WITH matches AS MATERIALIZED (SELECT o."objectId", \(sort.sql) FROM object o WHERE \(filter) LIMIT \(cap + 1)),
                     total AS (SELECT count(*) AS match_count FROM matches),
                     page AS (SELECT o."objectId" FROM matches o WHERE \(after) AND (SELECT match_count FROM total) <= \(cap)
                              ORDER BY \(order) LIMIT \(limit + 1) OFFSET \(offset))
                SELECT t.match_count, o.* FROM total t LEFT JOIN (object o JOIN page USING ("objectId")) ON TRUE
                ORDER BY \(order)
                """)
            count = try result[0].decode("match_count", as: Int.self)
            if count > cap {
                estimated = true
                count = max(cap + 1, try db.plannedRows(of: "SELECT 1 FROM object o WHERE \(filter)"))
                cappedCounts.record(filter, estimate: count)
                result = try db.execute(walk)
            }
        }
        // A count with no page comes back as one row of NULLs beside it.
        let rows = result.rowCount == 1 && result.isNull(0, result.column(named: "objectId")!) ? 0 : result.rowCount
        let shown = min(rows, limit)
        var rowOrder = Array(0..<shown)
        if backward { rowOrder.reverse() }
        let objects = try rowOrder.map { try Self.object(result, $0) }
        let more = rows > limit
        let hasNext = backward || more
        let hasPrevious = backward ? more : (query.cursor != nil || (query.pageNumber ?? 1) > 1)
        func token(_ row: Int?, backward: Bool) throws -> String? {
            guard let row else { return nil }
            return ObjectCursor(sortColumn: query.sortColumn, ascending: query.ascending,
                                value: try result[row].decode(query.sortColumn, as: String?.self),
                                objectId: try result[row].decode("objectId"), backward: backward).token
        }
        return ObjectListingPage(objects: objects, count: count, countIsEstimate: estimated, hasNext: hasNext, hasPrevious: hasPrevious,
                                 nextCursor: hasNext ? try token(rowOrder.last, backward: false) : nil,
                                 previousCursor: hasPrevious && query.cursor != nil ? try token(rowOrder.first, backward: true) : nil)
    }

    /// Rows strictly after the cursor's row in the reading order: the sort column `ascending`
    /// or not, ties by objectId; objects without the figure (`missing`) after all others, or
    /// before them when reading back from a cursor.
    private func cursorCondition(_ cursor: ObjectCursor, sort: ObjectColumn, ascending: Bool, missing: SQL?) -> SQL {
        let beyond: SQL = ascending ? ">" : "<"
        let objectId: SQL = #"o."objectId""#
        guard let missing else {
            // A figure every object has: the plain keyset, which its (figure, objectId) index serves.
            let value = PostgresParameter(text: cursor.value ?? "NaN", type: sort.type)
            return "(\(sort.sql), \(objectId)) \(beyond) (\(value), \(cursor.objectId))"
        }
        let missingLast = !cursor.backward
        guard let text = cursor.value else {
            // The cursor is among the objects without the figure, ordered by objectId alone.
            let amongMissing: SQL = "(\(missing) AND \(objectId) \(beyond) \(cursor.objectId))"
            return missingLast ? amongMissing : "(\(amongMissing) OR NOT \(missing))"
        }
        let value = PostgresParameter(text: text, type: sort.type)
        let amongValues: SQL = "(NOT \(missing) AND (\(sort.sql), \(objectId)) \(beyond) (\(value), \(cursor.objectId)))"
        return missingLast ? "(\(amongValues) OR \(missing))" : amongValues
    }

    /// The number of objects by the catalogue, or nil when the table has never been analysed.
    private func tableEstimate(db: Connection) throws -> Int? {
        let total = try db.execute("SELECT reltuples::bigint AS total FROM pg_class WHERE oid = 'object'::regclass")[0]
            .decode("total", as: Int?.self)
        return total.flatMap { $0 >= 0 ? $0 : nil }
    }

    // MARK: - One object

    /// The object named `name`, in any letter case: a ZTF name is read in the case ZTF writes
    /// it (ztf18ABCDEFG is ZTF18abcdefg), as the alert listing's `objectId` filter reads it,
    /// and found through the table's key; any other name as given.
    public func object(named name: String, db: Connection) throws -> ObjectRecord? {
        let stored = (try? ValueParsing.objectId(name, "objectId")) ?? name
        let result = try db.execute(#"SELECT o.* FROM object o WHERE o."objectId" = \#(stored)"#)
        return result.rowCount == 0 ? nil : try Self.object(result, 0)
    }

    /// The object named `name` (any letter case) and its whole light curve: every stored alert,
    /// history detection and non-detection, each once, by jd. A history detection whose candid
    /// is a stored alert is that alert, and a candid repeated in the history is one detection:
    /// the same rule `object_figures` counts `ndet` by.
    public func detail(named name: String, db: Connection) throws -> ObjectDetail? {
        guard let object = try object(named: name, db: db) else { return nil }
        let objectId = object.objectId
        // Lookups by key: planned once per connection, not once per request and partition.
        let alerts = RowDecoder(try db.executeWithGenericPlan(#"SELECT c.* FROM candidate c WHERE c."objectId" = \#(objectId)"#))
        let history = RowDecoder(try db.executeWithGenericPlan(#"""
            SELECT p.* FROM prv_candidate p WHERE p."objectId" = \#(objectId) AND p.candid IS NULL
            UNION ALL
            (SELECT DISTINCT ON (p.candid) p.* FROM prv_candidate p
             WHERE p."objectId" = \#(objectId) AND p.candid IS NOT NULL
               AND p.candid NOT IN (SELECT candid FROM candidate WHERE "objectId" = \#(objectId))
             ORDER BY p.candid, p.pid)
            """#))
        // (jd, kind, candid or pid): a total order, so the curve reads the same every time.
        var points: [(key: (Double, Int, Int64), entry: HistoryEntry)] = []
        for row in 0..<alerts.count {
            let alert = try alerts.alert(row)
            let jd = try alerts.decode(row, "jd", as: Double?.self)
            points.append(((Self.orderable(jd), 0, alert.candid), HistoryEntry(kind: .alert(id: alert.id), candidate: alert.candidate)))
        }
        for row in 0..<history.count {
            let candid = try history.decode(row, "candid", as: Int64?.self)
            let jd = try history.decode(row, "jd", as: Double?.self)
            let fields = try history.fields(row)
            if let candid {
                points.append(((Self.orderable(jd), 1, candid), HistoryEntry(kind: .detection, candidate: fields)))
            } else {
                let pid = try history.decode(row, "pid", as: Int64?.self) ?? 0
                points.append(((Self.orderable(jd), 2, pid), HistoryEntry(kind: .nonDetection, candidate: fields)))
            }
        }
        points.sort { $0.key < $1.key }
        return ObjectDetail(object: object, lightCurve: points.map(\.entry))
    }

    /// A jd to sort by: a missing one first, so that NaN cannot break the order.
    private static func orderable(_ jd: Double?) -> Double {
        guard let jd, !jd.isNaN else { return -.infinity }
        return jd
    }

    /// Row `row` of a result holding `object`'s columns, as a record.
    static func object(_ result: QueryResult, _ row: Int) throws -> ObjectRecord {
        let values = result[row]
        var figures = Fields()
        for column in ObjectCatalogue.columns where column.name != "objectId" {
            if column.type.isInteger {
                figures.append(column.name, try values.decode(column.name, as: Int64?.self).map { .integer($0) } ?? .null)
            } else if column.type.isFloatingPoint {
                figures.append(column.name, try values.decode(column.name, as: Double?.self).map { .real($0) } ?? .null)
            } else {
                figures.append(column.name, try values.decode(column.name, as: String?.self).map { .text($0) } ?? .null)
            }
        }
        return ObjectRecord(objectId: try values.decode("objectId"), figures: figures)
    }
}
