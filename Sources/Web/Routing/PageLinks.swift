import HTTP
import JSON
import Store

/// The next and previous pages of a listing (alerts or objects), in the format asked for
/// unless that is the default, HTML; and the paging members every JSON listing starts with.
struct PageLinks {
    let next: String?
    let previous: String?
    /// The next page for a visitor of the HTML page: by number where they page by number (so
    /// that they can go back), else by cursor.
    let nextForPage: String?

    /// `link` makes a URL of the listing from its query items; `filterItems` are the query's
    /// filters and sort as given. A page by number links back by number, a cursor page by cursor.
    init(_ request: Request, _ representation: Representation, filterItems: [(name: String, value: String)],
         pageNumber: Int?, hasNext: Bool, nextCursor: String?, previousCursor: String?,
         link: ([(name: String, value: String)]) -> String) {
        let keepFormat: [(name: String, value: String)] = representation == .html || !request.query.contains { $0.name == "format" }
            ? [] : [("format", representation.formatValue)]
        next = nextCursor.map { link(filterItems + [("cursor", $0)] + keepFormat) }
        previous = pageNumber.flatMap { $0 > 1 ? link(filterItems + [("page", String($0 - 1))] + keepFormat) : nil }
            ?? previousCursor.map { link(filterItems + [("cursor", $0)] + keepFormat) }
        if let number = pageNumber, hasNext, number < ListingQuery.maxPage {
            nextForPage = link(filterItems + [("page", String(number + 1))])
        } else {
            nextForPage = next
        }
    }

    /// `has_next`, `has_prev`, `count`, `count_is_estimate`, `pages`, then `next` and `previous`
    /// after whatever `between` adds (the alert listing's `latest`), as MARS orders them.
    func json(count: Int, countIsEstimate: Bool, hasNext: Bool, hasPrevious: Bool,
              between: (JSONValue) -> Void = { _ in }) -> JSONValue {
        let body = JSONValue.object()
        body.set("has_next", .bool(hasNext))
        body.set("has_prev", .bool(hasPrevious))
        body.set("count", .integer(Int64(count)))
        body.set("count_is_estimate", .bool(countIsEstimate))
        body.set("pages", .integer(Int64((count + ListingQuery.pageSize - 1) / ListingQuery.pageSize)))
        between(body)
        body.set("next", next.map { .string($0) } ?? .null())
        body.set("previous", previous.map { .string($0) } ?? .null())
        return body
    }
}
