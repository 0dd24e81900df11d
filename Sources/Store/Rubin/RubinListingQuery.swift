import Foundation
import Model
import Postgres

/// A parsed request for a Rubin listing (`/rubin/` or `/rubin/objects/`): its filters as SQL
/// conditions over the table, and which page. Filters are named as Rubin names its columns
/// (`band=g`, `reliability__gte=0.9`, `psfFlux__gte=5000`, `diaObjectId=...`), plus `cone` and a
/// `where=` expression in the alert listing's language; every value is bound as a parameter.
/// The order is the table's default (`RubinTable.defaultSort`: the newest observation first
/// for sources) or `sort_value` and `sort_order` (`RubinOrder`); a page is `page=N` or the
/// `cursor` of the previous page's `next` link.
public struct RubinListingQuery: Sendable {
    public static let controlParameters = ["page", "cursor", "sort_value", "sort_order"]

    let conditions: [SQL]
    /// The `cone=` when wide (`SkyCone.isWide`), and its condition's index: the matches
    /// are read from its rows (`SkyCone.matches`), as ZTF's are.
    let wideCone: (cone: SkyCone, condition: Int)?
    let order: RubinOrder
    /// Where the previous page ended (a cursor), if anywhere.
    let cursor: Cursor?
    public let page: Int
    /// The filters as given (empty values dropped), for the next page's link.
    public let filterItems: [(name: String, value: String)]
    /// Only cones and lookups by id: the store plans such a query once per connection, as
    /// ZTF's listing does (`ListingQuery.plannedOnce`); q3c spends milliseconds planning a cone.
    let plannedOnce: Bool
    /// No cone and no `where=`: the walk of the order for a filter known to match many is then
    /// planned once per connection too, as ZTF's is; whatever the values, its plan is that walk.
    let walkPlannedOnce: Bool

    public static func parse(_ items: [(name: String, value: String)], table: RubinTable) throws -> RubinListingQuery {
        let controls = try ListingControls(items, maxPage: ListingQuery.maxPage) { value in
            guard let type = table.columnTypes[value], type.isNumber else {
                throw ParameterError("sort_value", "sort_value must be a number column of the table such as \(table.defaultSort), not '\(ValueParsing.clip(value))'")
            }
        }
        var conditions: [SQL] = []
        var cones = 0, idLookups = 0
        var wideCone: (cone: SkyCone, condition: Int)?
        for (name, value) in controls.filters {
            guard conditions.count < ListingQuery.maxFilters else {
                throw ParameterError(name, "at most \(ListingQuery.maxFilters) filters can be combined in one query")
            }
            if name == "cone" {
                guard table.columnTypes["ra"] != nil else { throw ParameterError(name, "this listing has no positions") }
                let cone = try ValueParsing.cone(value, name)
                if cone.isWide { wideCone = (cone, conditions.count) }
                conditions.append(cone.condition(ra: table.column("ra"), dec: table.column("dec")))
                cones += 1
            } else {
                conditions.append(try condition(name, value, table: table))
                if name == "diaObjectId" || name == table.key { idLookups += 1 }
            }
        }
        let expression = controls.expression
        let plannedOnce = !conditions.isEmpty && conditions.count == cones + idLookups && expression == nil
        if let expression {
            conditions.append(try table.expressions.whereCondition(expression, besideFilters: conditions.count, cones: cones).condition)
        }
        let order = RubinOrder(column: controls.sortValue ?? table.defaultSort, ascending: controls.ascending, table: table)
        var cursor: Cursor?
        if let cursorToken = controls.cursorToken {
            // A token of this server for this order, going forward (Rubin's listings link no previous page).
            guard let decoded = Cursor(token: cursorToken), decoded.sortColumn == order.column, decoded.ascending == order.ascending,
                  !decoded.backward else {
                throw ParameterError("cursor", "cursor is not valid for this sort order; use the `next` link of the previous page")
            }
            cursor = decoded
        }
        return RubinListingQuery(conditions: conditions, wideCone: wideCone, order: order, cursor: cursor, page: controls.page ?? 1, filterItems: controls.kept,
                                 plannedOnce: plannedOnce, walkPlannedOnce: cones == 0 && expression == nil)
    }

    /// `column=value` or `column__op=value` as a condition; NaN matches no comparison.
    static func condition(_ name: String, _ value: String, table: RubinTable) throws -> SQL {
        let parts = name.components(separatedBy: "__")
        let operators: [String: FilterSpec.Operator] = ["gt": .greater, "gte": .greaterOrEqual, "lt": .less, "lte": .lessOrEqual]
        guard parts.count <= 2, let type = table.columnTypes[parts[0]], parts.count == 1 || (operators[parts[1]] != nil && type.isNumber) else {
            throw ParameterError(name, "unknown parameter '\(ValueParsing.clip(name))'; the filters are the table's columns "
                                 + "(with __gt, __gte, __lt, __lte for numbers), cone and where: see /help/#rubin")
        }
        let column = table.column(parts[0])
        let op = parts.count == 2 ? operators[parts[1]]! : .equal
        if type.isText { return "\(column) = \(value)" }
        if type.isInteger {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if let exact = Int64(trimmed) { return ConditionBuilder.compare(column, op, exact) }
            // An integer no bigint holds, or an id that is not an integer, is a mistake, not a
            // value that matches nothing.
            if op == .equal { throw ParameterError(name, "\(name) must be an integer, not '\(ValueParsing.clip(value))'") }
            if trimmed.drop(while: { $0 == "-" || $0 == "+" }).allSatisfy(\.isASCII) && trimmed.contains(where: \.isNumber)
                && trimmed.drop(while: { $0 == "-" || $0 == "+" }).allSatisfy(\.isNumber) {
                throw ParameterError(name, "\(name) must fit a 64-bit integer, not '\(ValueParsing.clip(value))'")
            }
        }
        let number = try ValueParsing.real(value, name)
        let compared = ConditionBuilder.compare(column, op, ConditionBuilder.literal(number, forColumnOf: type))
        return type.isFloatingPoint ? "(\(compared) AND \(column) <> 'NaN')" : compared
    }
}
