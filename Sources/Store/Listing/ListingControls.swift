/// What every listing (`/`, `/objects/`, `/rubin/`, `/rubin/objects/`) reads the same way from
/// a request's query items: which page (`page` or `cursor`), the order (`sort_value`,
/// `sort_order`), a `where=` expression, and the rest, its filters, left to the listing.
///
/// Empty values are ignored, as an HTML form sends every field (and a blank `where=` box); a
/// name given twice, a bad page, a sort order other than asc or desc, or both a page and a
/// cursor is an error naming the parameter.
struct ListingControls {
    var page: Int?
    var cursorToken: String?
    var sortValue: String?
    /// asc or desc.
    var sortOrder: String?
    var expression: String?
    /// The other items, in the request's order.
    var filters: [(name: String, value: String)] = []
    /// The filters, the order and the expression as given, for the links to other pages.
    var kept: [(name: String, value: String)] = []

    /// `maxPage` bounds `page`; `ignored` names are accepted and dropped; `checkSortValue`
    /// throws for a column the listing cannot be sorted by.
    init(_ items: [(name: String, value: String)], maxPage: Int, ignored: Set<String> = [],
         checkSortValue: (String) throws -> Void) throws {
        var seen = Set<String>()
        for (name, value) in items where !value.isEmpty {
            guard seen.insert(name).inserted else {
                throw ParameterError(name, "\(ValueParsing.clip(name)) is given more than once")
            }
            switch name {
            case "page":
                page = try ValueParsing.positiveInteger(value, name, max: maxPage)
                continue
            case "cursor":
                cursorToken = value
                continue
            case _ where ignored.contains(name):
                continue
            case "sort_value":
                try checkSortValue(value)
                sortValue = value
            case "sort_order":
                guard value == "asc" || value == "desc" else {
                    throw ParameterError(name, "sort_order must be asc or desc, not '\(ValueParsing.clip(value))'")
                }
                sortOrder = value
            case "where":
                guard value.contains(where: { !$0.isWhitespace }) else { continue }
                expression = value
            default:
                filters.append((name, value))
            }
            kept.append((name, value))
        }
        if page != nil && cursorToken != nil {
            throw ParameterError("cursor", "give either page or cursor, not both")
        }
    }

    var ascending: Bool { sortOrder == "asc" }
}
