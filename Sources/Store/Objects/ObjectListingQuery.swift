import Model
import Postgres

/// A parsed objects listing request (`GET /objects/`): its filters as SQL conditions over
/// `object o`, its order and which page. As for alerts, column names reach the SQL only from
/// `ObjectCatalogue` and every client value is bound as a parameter.
///
/// The filters end up as a plain list of conditions; a filter expression (`where=`) is
/// compiled against `ObjectCatalogue.expressions` and is one more of them.
public struct ObjectListingQuery: Sendable {
    /// The parameters that are not filters.
    public static let controlParameters = ["page", "cursor", "sort_value", "sort_order"]

    /// `WHERE` conditions (ANDed) over `object o`.
    let conditions: [SQL]
    public let sortColumn: String
    public let ascending: Bool
    public let pagination: ListingQuery.Pagination
    let cursor: ObjectCursor?
    /// The filters and sort exactly as given (empty values dropped), to build next/previous links.
    public let filterItems: [(name: String, value: String)]

    /// The sort column as the catalogue describes it.
    var sort: ObjectColumn { ObjectCatalogue.column(sortColumn)! }

    /// Parses the query items of a request (without `format`), as `ListingQuery.parse` does:
    /// empty values are ignored, anything not understood or given twice is an error naming it,
    /// and at most `ListingQuery.maxFilters` filters combine. `limit` bounds `page`.
    public static func parse(_ items: [(name: String, value: String)], limit: Int = ListingQuery.pageSize) throws -> ObjectListingQuery {
        let controls = try ListingControls(items, maxPage: ListingQuery.maxOffset / limit) { value in
            guard ObjectCatalogue.sortValues.contains(value) else {
                throw ParameterError("sort_value", "sort_value must be an object figure such as lastjd, ndet or brightest_r, not '\(ValueParsing.clip(value))'")
            }
        }
        var conditions: [SQL] = []
        var cones = 0
        for (name, value) in controls.filters {
            guard let spec = ObjectCatalogue.filter(name) else {
                throw ParameterError(name, "unknown parameter '\(ValueParsing.clip(name))'; see /help/#objects for the filters")
            }
            guard conditions.count < ListingQuery.maxFilters else {
                throw ParameterError(name, "at most \(ListingQuery.maxFilters) filters can be combined in one query")
            }
            if spec.op == .cone { cones += 1 }
            conditions.append(try condition(spec, value))
        }
        if let expression = controls.expression {
            // Within what the other filters leave of the query's terms and cones, as for alerts.
            conditions.append(try ObjectCatalogue.expressions.whereCondition(expression, besideFilters: conditions.count,
                                                                             cones: cones).condition)
        }
        let sortColumn = controls.sortValue ?? "lastjd"
        let ascending = controls.ascending
        var cursor: ObjectCursor?
        if let cursorToken = controls.cursorToken {
            guard let decoded = ObjectCursor(token: cursorToken), decoded.sortColumn == sortColumn, decoded.ascending == ascending else {
                throw ParameterError("cursor", "cursor is not valid for this sort order; use the `next` link of the previous page")
            }
            cursor = decoded
        }
        return ObjectListingQuery(conditions: conditions, sortColumn: sortColumn, ascending: ascending,
                                  pagination: controls.cursorToken.map { .after($0) } ?? .page(controls.page ?? 1),
                                  cursor: cursor, filterItems: controls.kept)
    }

    /// The page number when paging by number.
    public var pageNumber: Int? {
        if case .page(let n) = pagination { return n }
        return nil
    }

    /// One filter as a condition over `object o`. The figures hold no NaN or sentinel (a
    /// missing figure is NULL, which no comparison matches), so a comparison is all it takes.
    static func condition(_ spec: FilterSpec, _ value: String) throws -> SQL {
        let name = spec.parameter
        guard let column = ObjectCatalogue.column(spec.column) else { preconditionFailure("\(spec.column) is not an object column") }
        if spec.op == .cone {
            return try ValueParsing.cone(value, name).condition(ra: "o.ra", dec: "o.dec")
        }
        // The catalogue gives objects only cones and comparisons, which `compare` writes. An
        // integer for an integer column compares exactly; any number is bound in the column's
        // own type when it fits, so that the column's index applies.
        if column.type.isInteger, let exact = Int64(value.trimmingCharacters(in: .whitespaces)) {
            return ConditionBuilder.compare(column.sql, spec.op, exact)
        }
        let number = try ValueParsing.real(value, name)
        return ConditionBuilder.compare(column.sql, spec.op, ConditionBuilder.literal(number, forColumnOf: column.type))
    }
}
