import JSON
import Store

/// MARS's bulk form, `POST /` with `{"queries": [{...}, ...]}`: each query parsed as the
/// listing's parameters and echoed back beside its results. Parsed before the rate limiter
/// is asked, because each query costs one request of the budget.
struct BulkRequest {
    /// Queries in one body at most.
    static let maxQueries = 10
    /// Alerts per query at most (the page size of a bulk query).
    static let limit = 1000

    let queries: [(echo: JSONValue, query: ListingQuery)]

    init(body: [UInt8], schema: StoreSchema) throws {
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(body)
        } catch {
            throw ParameterError("queries", "the body must be JSON like {\"queries\": [{\"objectId\": \"ZTF18aaaaaaa\"}]}: \(error)")
        }
        guard parsed.kind == .object, let list = parsed.members.first(where: { $0.key == "queries" })?.value, list.kind == .array else {
            throw ParameterError("queries", "the body must be a JSON object with a \"queries\" array")
        }
        guard list.elements.count <= Self.maxQueries else {
            throw ParameterError("queries", "at most \(Self.maxQueries) queries per request, not \(list.elements.count)")
        }
        queries = try list.elements.enumerated().map { index, element in
            guard element.kind == .object else { throw ParameterError("queries", "query \(index + 1) is not a JSON object") }
            var items: [(name: String, value: String)] = []
            for (key, value) in element.members where value.kind != .null && key != "format" {
                guard let text = value.scalarText else {
                    throw ParameterError(key, "query \(index + 1): \(key) must be a string or a number")
                }
                items.append((key, text))
            }
            do {
                return (element, try ListingQuery.parse(items, schema: schema, limit: Self.limit))
            } catch let error as ParameterError {
                throw ParameterError(error.parameter, "query \(index + 1): \(error.message)")
            }
        }
    }

    /// Requests of the budget the bulk request costs: one per query (at least one).
    var cost: Double { Double(max(1, queries.count)) }
}
