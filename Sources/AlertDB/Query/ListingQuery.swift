import Foundation

/// A parsed listing request: its filters as SQL conditions with their parameters, its order
/// and which page. Built only from the filter catalogue, so every column name in the SQL comes
/// from the database's own catalogue and every client value travels as a bound parameter.
public struct ListingQuery: Sendable {
    public enum Pagination: Sendable, Equatable {
        case page(Int)
        case after(String)   // a cursor token, checked at parse time
    }

    /// Alerts per page, as MARS.
    public static let pageSize = 100
    /// `page` beyond this is refused: an offset that deep reads and drops 100,000 rows; the
    /// cursor reaches any depth at the cost of one page.
    public static let maxPage = 1000

    /// The parameters that are not filters.
    public static let controlParameters = ["page", "cursor", "sort_value", "sort_order"]

    /// `WHERE` conditions (ANDed) over `candidate c`, with `$n` placeholders into `parameters`.
    let conditions: [String]
    let parameters: [String?]
    public let sortColumn: String
    public let ascending: Bool
    /// The sort column's SQL type, for the cursor's bound value.
    let sortType: String
    public let pagination: Pagination
    let cursor: Cursor?
    /// The filters and sort exactly as given (empty values dropped), to build next/previous links.
    public let filterItems: [(name: String, value: String)]

    /// Parses the query items of a request (without `format`). Empty values are ignored, as an
    /// HTML form sends every field; anything else not understood is an error naming it.
    public static func parse(_ items: [(name: String, value: String)], schema: StoreSchema,
                             now: Double = JulianDate.now) throws -> ListingQuery {
        var builder = ConditionBuilder()
        var page: Int?, cursorToken: String?, sortValue: String?, sortOrder: String?
        var kept: [(name: String, value: String)] = []
        for (name, value) in items where !value.isEmpty {
            switch name {
            case "page":
                guard page == nil else { throw ParameterError(name, "page is given more than once") }
                page = try ValueParsing.positiveInteger(value, name, max: maxPage)
                continue
            case "cursor":
                guard cursorToken == nil else { throw ParameterError(name, "cursor is given more than once") }
                cursorToken = value
                continue
            case "sort_value":
                guard schema.sortValues.contains(value) else {
                    throw ParameterError(name, "sort_value must be a numeric candidate field such as jd, magpsf or rb, not '\(ValueParsing.clip(value))'")
                }
                sortValue = value
            case "sort_order":
                guard value == "asc" || value == "desc" else {
                    throw ParameterError(name, "sort_order must be asc or desc, not '\(ValueParsing.clip(value))'")
                }
                sortOrder = value
            default:
                guard let spec = schema.catalogue[name] else {
                    throw ParameterError(name, "unknown parameter '\(ValueParsing.clip(name))'; see /help/ for the filters")
                }
                try builder.add(spec, value, schema: schema, now: now)
            }
            kept.append((name, value))
        }
        if page != nil && cursorToken != nil {
            throw ParameterError("cursor", "give either page or cursor, not both")
        }
        let sortColumn = sortValue ?? "jd"
        let ascending = sortOrder == "asc"
        var cursor: Cursor?
        if let cursorToken {
            guard let decoded = Cursor(token: cursorToken), decoded.sortColumn == sortColumn, decoded.ascending == ascending else {
                throw ParameterError("cursor", "cursor is not valid for this sort order; use the `next` link of the previous page")
            }
            cursor = decoded
        }
        return ListingQuery(conditions: builder.conditions, parameters: builder.parameters, sortColumn: sortColumn,
                            ascending: ascending, sortType: schema.sqlType(of: sortColumn), pagination: cursorToken.map { .after($0) } ?? .page(page ?? 1),
                            cursor: cursor, filterItems: kept)
    }

    /// The page number, 1 for cursor pages' purposes of has_prev (a cursor page always has one).
    public var pageNumber: Int? {
        if case .page(let n) = pagination { return n }
        return nil
    }
}

/// Accumulates SQL conditions and their bound values.
struct ConditionBuilder {
    var conditions: [String] = []
    var parameters: [String?] = []

    /// A placeholder for `value`, cast to `type`.
    mutating func bind(_ value: String, _ type: String) -> String {
        parameters.append(value)
        return "$\(parameters.count)::\(type)"
    }

    mutating func add(_ spec: FilterSpec, _ value: String, schema: StoreSchema, now: Double) throws {
        let name = spec.parameter
        let column = "c." + quoted(spec.column)
        switch (spec.op, spec.type) {
        case (.cone, _):
            let cone = try ValueParsing.cone(value, name)
            let ra = bind(String(cone.ra), "double precision"), dec = bind(String(cone.dec), "double precision")
            let radius = bind(String(cone.radius), "double precision")
            conditions.append("q3c_radial_query(c.ra, c.dec, \(ra), \(dec), \(radius))")
        case (.anyPS1Object, _):
            let id = bind(String(try ValueParsing.integer(value, name)), "bigint")
            conditions.append("(c.objectidps1 = \(id) OR c.objectidps2 = \(id) OR c.objectidps3 = \(id))")
        case (.since, _):
            let seconds = try ValueParsing.real(value, name)
            guard seconds >= 0 else { throw ParameterError(name, "\(name) must be a number of seconds, at least 0") }
            conditions.append("\(column) > \(bind(String(now - seconds / 86400), "double precision"))")
        case (_, .time):
            conditions.append("\(column) \(spec.op.sql!) \(bind(String(try ValueParsing.time(value, name)), "double precision"))")
        case (_, .filterName):
            conditions.append("\(column) \(spec.op.sql!) \(bind(String(try ValueParsing.filterID(value, name)), "integer"))")
        case (_, .text):
            guard value.utf8.count <= 200, !value.utf8.contains(0) else { throw ParameterError(name, "\(name) is too long") }
            conditions.append("\(column) \(spec.op.sql!) \(bind(value, "text"))")
        case (_, .integer):
            conditions.append("\(column) \(spec.op.sql!) \(bind(String(try ValueParsing.integer(value, name)), "bigint"))")
        case (_, .real), (_, .seconds), (_, .cone):
            let columnType = schema.sqlType(of: spec.column)
            // An integer for an integer column compares exactly: candids and PS1 ids exceed
            // the 2^53 a double holds exactly.
            if Self.integerTypes.contains(columnType), let exact = Int64(value.trimmingCharacters(in: .whitespaces)) {
                conditions.append("\(column) \(spec.op.sql!) \(bind(String(exact), "bigint"))")
                return
            }
            let number = try ValueParsing.real(value, name)
            let (text, type) = Self.literal(number, forColumnOf: columnType)
            conditions.append("\(column) \(spec.op.sql!) \(bind(text, type))")
        }
    }

    /// The number as a literal of the column's own type when it fits (so `magpsf <= 19.1`
    /// includes a stored 19.1, and the column's index applies), else as double precision
    /// (a fraction against an integer column, or a magnitude `real` cannot hold).
    static let integerTypes: Set<String> = ["smallint", "integer", "bigint"]

    static func literal(_ number: Double, forColumnOf type: String) -> (String, String) {
        switch type {
        case "smallint", "integer", "bigint":
            if number.rounded() == number, abs(number) < 9e18 { return (String(Int64(number)), "bigint") }
        case "real":
            if number == 0 || (abs(number) > 1e-37 && abs(number) < 3e38) { return (String(number), "real") }
        default:
            break
        }
        return (String(number), "double precision")
    }
}

/// An identifier from our own catalogue, quoted for SQL text.
func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
