import Foundation
import Model
import Postgres

/// A parsed listing request: its filters as SQL conditions, its order and which page. Built
/// only from the filter catalogue, so every column name in the SQL comes from the database's
/// own catalogue, and every client value is bound as a parameter by `SQL`.
public struct ListingQuery: Sendable {
    public enum Pagination: Sendable, Equatable {
        case page(Int)
        case after(String)   // a cursor token, checked at parse time
    }

    /// Alerts per page, as MARS.
    public static let pageSize = 100
    /// The deepest offset `page` may reach: an offset that deep reads and drops 100,000 rows;
    /// the cursor reaches any depth at the cost of one page.
    public static let maxOffset = 100_000
    /// `page` beyond this is refused (1,000 at 100 alerts a page).
    public static let maxPage = maxOffset / pageSize
    /// Filters a query may combine. Planning grows with every term (and q3c's cone with each
    /// cone); at 40, more than MARS's form offers, the worst accepted query plans in a few
    /// milliseconds (Docs/operations.md, Limits).
    public static let maxFilters = 40
    /// Cones a query may hold, `cone=`, `objectcone=` and `cone()` in `where=` together: each
    /// adds ~3.5 ms of q3c's planning at a million alerts, so two keep the costliest accepted
    /// query planning in about 7 ms.
    public static let maxCones = 2
    /// The limits of a `where=` expression; its terms count against `maxFilters` with the
    /// query's other filters.
    public static let expressionLimits = ExpressionLimits(maxLength: 2_000, maxDepth: 32, maxTerms: maxFilters, maxCones: maxCones)

    /// The parameters that are not filters.
    public static let controlParameters = ["page", "cursor", "sort_value", "sort_order"]
    /// Parameters MARS clients send that mean nothing to the listing: TOM Toolkit runs a saved
    /// query with the form's `query_name` and `broker` among the filters. Read and ignored.
    public static let ignoredParameters: Set = ["query_name", "broker"]

    /// `WHERE` conditions (ANDed) over `candidate c`.
    let conditions: [SQL]
    /// `objectcone`: a cone around an object whose position the store looks up first (as
    /// constants, so that q3c's index serves the cone).
    let objectCone: (objectId: String, radius: Double)?
    /// The query's `cone=`, when it is wide (`SkyCone.isWide`), and the index of its
    /// condition among `conditions`: the store reads the matches from the cone's rows
    /// (`SkyCone.rows`) rather than filter every month's partition with it.
    let wideCone: (cone: SkyCone, condition: Int)?
    /// Cones among the conditions (`cone=`, `objectcone=`, `cone()` in `where=`): planning one
    /// costs q3c milliseconds, so the store does not plan such a query twice.
    let cones: Int
    /// True when every filter is a cone (`cone=`, `objectcone=`) or an `objectId`: a statement
    /// whose plan is the same for every value (q3c's index, the objectId index), which the
    /// store plans once per connection (`executeWithGenericPlan`) rather than once per request
    /// and partition. Beside other filters, a plan made without their values could walk the
    /// wrong index, so such a query is planned each time.
    let plannedOnce: Bool
    public let sortColumn: String
    public let ascending: Bool
    /// The sort column's type, for the cursor's bound value.
    let sortType: PostgresType
    /// True for an alert without a value in the sort column (NULL, NaN, a sentinel), which
    /// sorts after every value in both orders; nil for columns every alert has.
    let sortMissing: SQL?
    public let pagination: Pagination
    let cursor: Cursor?
    /// The filters and sort exactly as given (empty values dropped), to build next/previous links.
    public let filterItems: [(name: String, value: String)]

    /// Parses the query items of a request (without `format`). Empty values are ignored, as an
    /// HTML form sends every field; anything else not understood, or given twice, is an error
    /// naming it. `limit` is the page size the query will be run with, which bounds `page`.
    public static func parse(_ items: [(name: String, value: String)], schema: StoreSchema,
                             limit: Int = pageSize, now: Double = JulianDate.now) throws -> ListingQuery {
        let controls = try ListingControls(items, maxPage: maxOffset / limit, ignored: ignoredParameters) { value in
            guard schema.sortValues.contains(value) else {
                throw ParameterError("sort_value", "sort_value must be a numeric candidate field such as jd, magpsf or rb, not '\(ValueParsing.clip(value))'")
            }
        }
        var builder = ConditionBuilder()
        for (name, value) in controls.filters {
            guard let spec = schema.catalogue[name] else {
                throw ParameterError(name, "unknown parameter '\(ValueParsing.clip(name))'; see /help/ for the filters")
            }
            guard builder.filterCount < maxFilters else {
                throw ParameterError(name, "at most \(maxFilters) filters can be combined in one query")
            }
            try builder.add(spec, value, schema: schema, now: now)
        }
        let expression = controls.expression
        let plannedOnce = builder.filterCount > 0 && builder.cones + builder.objectIds == builder.filterCount && expression == nil
        if let expression {
            try builder.add(expression: expression, schema: schema)
        }
        let sortColumn = controls.sortValue ?? "jd"
        let ascending = controls.ascending
        var cursor: Cursor?
        if let cursorToken = controls.cursorToken {
            guard let decoded = Cursor(token: cursorToken), decoded.sortColumn == sortColumn, decoded.ascending == ascending else {
                throw ParameterError("cursor", "cursor is not valid for this sort order; use the `next` link of the previous page")
            }
            cursor = decoded
        }
        return ListingQuery(conditions: builder.conditions, objectCone: builder.objectCone, wideCone: builder.wideCone,
                            cones: builder.cones, plannedOnce: plannedOnce, sortColumn: sortColumn,
                            ascending: ascending, sortType: schema.type(of: sortColumn), sortMissing: schema.missing(sortColumn),
                            pagination: controls.cursorToken.map { .after($0) } ?? .page(controls.page ?? 1),
                            cursor: cursor, filterItems: controls.kept)
    }

    /// True when the query has a `where=` expression.
    public var hasExpression: Bool { filterItems.contains { $0.name == "where" } }

    /// The page number, 1 for cursor pages' purposes of has_prev (a cursor page always has one).
    public var pageNumber: Int? {
        if case .page(let n) = pagination { return n }
        return nil
    }
}

/// Turns filters into SQL conditions over `candidate c`.
struct ConditionBuilder {
    var conditions: [SQL] = []
    var objectCone: (objectId: String, radius: Double)?
    /// The `cone=` when wide (`SkyCone.isWide`), and its condition's index.
    var wideCone: (cone: SkyCone, condition: Int)?
    /// `cone=` and `objectcone=` given (q3c's planning is what the cone limit bounds).
    var cones = 0
    /// `objectId=` filters given.
    var objectIds = 0

    /// Filters so far, `objectcone` (resolved later by the store) among them.
    var filterCount: Int { conditions.count + (objectCone == nil ? 0 : 1) }

    /// A `where=` expression, with what the other filters leave of the query's budgets.
    mutating func add(expression: String, schema: StoreSchema) throws {
        let compiled = try schema.expressions.whereCondition(expression, besideFilters: filterCount, cones: cones,
                                                             coneNames: "cone or objectcone")
        conditions.append(compiled.condition)
        cones += compiled.cones
    }

    mutating func add(_ spec: FilterSpec, _ value: String, schema: StoreSchema, now: Double) throws {
        let name = spec.parameter
        let column: SQL = "c.\(SQL.identifier(spec.column))"
        switch (spec.op, spec.type) {
        case (.cone, _):
            let cone = try ValueParsing.cone(value, name)
            cones += 1
            if cone.isWide { wideCone = (cone, conditions.count) }
            conditions.append(cone.condition(ra: "c.ra", dec: "c.dec"))
        case (.nearObject, _):
            let parts = value.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw ParameterError(name, "\(name) must be objectId,radius in degrees (e.g. ZTF18abcdefg,0.01), not '\(ValueParsing.clip(value))'")
            }
            let radius = try ValueParsing.cone("0,0,\(parts[1])", name).radius
            objectCone = (try ValueParsing.objectId(parts[0].trimmingCharacters(in: .whitespaces), name), radius)
            cones += 1
        case (.anyPS1Object, _):
            let id = try ValueParsing.integer(value, name)
            conditions.append("(c.objectidps1 = \(id) OR c.objectidps2 = \(id) OR c.objectidps3 = \(id))")
        case (.since, _):
            conditions.append("\(column) > \(now - (try ValueParsing.seconds(value, name)) / 86400)")
        case (_, .objectId):
            // The index on objectId serves `= ANY`; names are stored as ZTF writes them.
            let names = try ValueParsing.list(value, name).map { try ValueParsing.objectId($0, name) }
            conditions.append("\(column) = ANY(\(names))")
            objectIds += 1
        case (.inList, .integer):
            conditions.append("\(column) = ANY(\(try ValueParsing.list(value, name).map { try ValueParsing.integer($0, name) }))")
        case (.inList, _):
            let values = try ValueParsing.list(value, name).map { try ValueParsing.text($0, name) }
            conditions.append("\(schema.value(spec.column)) = ANY(\(values.map { Self.textForm($0, of: spec.column) }))")
        case (_, .time):
            conditions.append(Self.compare(column, spec.op, try ValueParsing.time(value, name)))
        case (_, .filterName):
            conditions.append(Self.compare(column, spec.op, try ValueParsing.filterID(value, name)))
        case (_, .text):
            // Through the value in science terms: isdiffpos=t matches "1" too.
            let text = Self.textForm(try ValueParsing.text(value, name), of: spec.column)
            conditions.append(Self.compare(schema.value(spec.column), spec.op, text))
        case (_, .integer):
            conditions.append(Self.compare(column, spec.op, try ValueParsing.integer(value, name)))
        case (_, .real), (_, .seconds), (_, .cone), (_, .objectCone):
            let columnType = schema.type(of: spec.column)
            // An integer for an integer column compares exactly: candids and PS1 ids exceed
            // the 2^53 a double holds exactly.
            let comparison: SQL
            if columnType.isInteger, let exact = Int64(value.trimmingCharacters(in: .whitespaces)) {
                comparison = Self.compare(column, spec.op, exact)
            } else {
                comparison = Self.compare(column, spec.op, Self.literal(try ValueParsing.real(value, name), forColumnOf: columnType))
            }
            // A missing value (NaN, a sentinel such as distnr's -999) matches no comparison.
            conditions.append(schema.presence(of: spec.column).map { "(\(comparison) AND \($0))" } ?? comparison)
        }
    }

    /// A client's text in the form `StoreSchema.value` reads the column in (`isdiffpos=1` is `t`).
    static func textForm(_ text: String, of column: String) -> String {
        column == "isdiffpos" ? ZTFTextValues.isdiffpos(text) : text
    }

    /// `column op value`, for the simple comparison operators.
    static func compare(_ column: SQL, _ op: FilterSpec.Operator, _ value: some PostgresEncodable) -> SQL {
        switch op {
        case .equal: return "\(column) = \(value)"
        case .greater: return "\(column) > \(value)"
        case .greaterOrEqual: return "\(column) >= \(value)"
        case .less: return "\(column) < \(value)"
        case .lessOrEqual: return "\(column) <= \(value)"
        case .cone, .anyPS1Object, .since, .inList, .nearObject: preconditionFailure("\(op) is not a comparison")
        }
    }

    /// The number as a value of the column's own type when it fits (so `magpsf <= 19.1`
    /// includes a stored 19.1, and the column's index applies), else as double precision
    /// (a fraction against an integer column, or a magnitude `real` cannot hold).
    static func literal(_ number: Double, forColumnOf type: PostgresType) -> any PostgresEncodable {
        if type.isInteger, number.rounded() == number, abs(number) < 9e18 { return Int64(number) }
        if type == .float4, number == 0 || (abs(number) > 1e-37 && abs(number) < 3e38) {
            // The decimal the client wrote, read as PostgreSQL reads a real: the nearest float.
            return Float(String(number))!
        }
        return number
    }
}
