import HTTP
import JSON
import Model
import Store

extension AlertService {
    /// `GET /`: one page of alerts, newest first, filtered.
    func listing(_ request: Request, _ representation: Representation) throws -> Response {
        let items = request.query.filter { $0.name != "format" }
        let links = Links(request, publicBase: publicBase)
        let query: ListingQuery
        do {
            query = try ListingQuery.parse(items, schema: schema)
        } catch let error as ParameterError where representation == .html {
            // The form again, with the message beside the field at fault.
            let latest = try? archive.read { try $0.latest() }
            let input = ListingPageInput(parameters: items, catalogue: schema.catalogue, sortValues: schema.sortValues,
                                         rows: [], count: 0, countIsEstimate: false, page: nil, previousURL: nil,
                                         nextURL: nil, latest: latest ?? nil, error: (error.message, error.parameter),
                                         jsonURL: links.listing(items + [("format", "json")]))
            return Responses.html(Pages.listing(input), status: 400)
        }
        // Every format reuses the text of alerts rendered before, so it asks for ids and
        // fetches only the alerts it has not rendered yet.
        let (page, latest, texts) = try blamingExpression([query]) {
            try archive.read { db -> (ListingPage, LatestAlert?, [[UInt8]]) in
                let page = try db.listing(query, idsOnly: true)
                let texts = switch representation {
                case .json: try renderedAlerts(page.ids, links: links, db: db)
                case .html: try rendered(page.ids, key: "html", fetch: db.alerts) { Array(Pages.listingRow($0).utf8) }
                default: try renderedRows(page.ids, representation, db: db)
                }
                return (page, representation.isTable ? nil : try db.latest(), texts)
            }
        }
        let pages = PageLinks(request, representation, filterItems: query.filterItems, pageNumber: query.pageNumber,
                              hasNext: page.hasNext, nextCursor: page.nextCursor, previousCursor: page.previousCursor,
                              link: { links.listing($0) })

        switch representation {
        case .json:
            let body = pages.json(count: page.count, countIsEstimate: page.countIsEstimate, hasNext: page.hasNext,
                                  hasPrevious: page.hasPrevious) { $0.set("latest", AlertJSON.latest(latest)) }
            return Responses.json(body, appending: "results", elements: texts)
        case .csv, .votable:
            let table = AlertTables.alerts(columns: alertColumns, infos: Self.pageInfos(page.count, page.countIsEstimate, pages.next, pages.previous))
            return Responses.table(table, as: representation, rows: texts, next: pages.next, previous: pages.previous)
        case .html:
            let input = ListingPageInput(parameters: items, catalogue: schema.catalogue, sortValues: schema.sortValues,
                                         rows: texts.map { String(decoding: $0, as: UTF8.self) }, count: page.count, countIsEstimate: page.countIsEstimate,
                                         page: query.pageNumber, previousURL: pages.previous, nextURL: pages.nextForPage, latest: latest, error: nil,
                                         jsonURL: links.listing(items + [("format", "json")]))
            return Responses.html(Pages.listing(input))
        }
    }

    /// A table page's facts, as the JSON body has them: VOTable's INFO elements.
    static func pageInfos(_ count: Int, _ countIsEstimate: Bool, _ next: String?, _ previous: String?) -> [(name: String, value: String)] {
        [("count", String(count)), ("count_is_estimate", countIsEstimate ? "true" : "false")]
            + [("next", next), ("previous", previous)].compactMap { name, url in url.map { (name, $0) } }
    }

    /// Runs `body`, telling a value PostgreSQL could not compute as the `where=` expression's
    /// fault: every other parameter is checked before a query runs, but only the rows can tell
    /// that `magpsf * 1e308 * 10` leaves double precision's range.
    func blamingExpression<T>(_ queries: [ListingQuery], _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch StoreError.rejectedValue(let message) where queries.contains(where: \.hasExpression) {
            Log.serve("where= out of range: \(message)")
            throw ParameterError("where", "where: a number the expression computes is out of range (beyond about 1e308)")
        }
    }

    /// The JSON text of each alert, in order (`rendered`, kept by the base URL of its links).
    func renderedAlerts(_ ids: [Int64], links: Links, db: ArchiveReader) throws -> [[UInt8]] {
        try rendered(ids, key: links.base, fetch: { try db.alertCells(ids: $0, keys: candidateKeys, schema: schema) }) {
            AlertJSON.alert($0, links: links)
        }
    }

    /// Each alert's row in the table format of `representation`, in order (`rendered`, kept
    /// under the format's name, as rows hold no links).
    func renderedRows(_ ids: [Int64], _ representation: Representation, db: ArchiveReader) throws -> [[UInt8]] {
        let writer = representation.tableWriter
        return try rendered(ids, key: representation.formatValue, fetch: db.alerts) {
            writer.row(AlertTables.alertRow($0, fields: schema.candidateFields), alertColumns)
        }
    }

    /// Each alert as `render` writes it, in order: from `rendered` (under `key`) when there,
    /// else written now, all the missing alerts fetched in one query, and kept.
    func rendered<Alert>(_ ids: [Int64], key: String, fetch: ([Int64]) throws -> [Int64: Alert],
                         render: (Alert) -> [UInt8]) throws -> [[UInt8]] {
        var texts = ids.map { rendered.text(id: $0, base: key) }
        let missing = zip(ids, texts).filter { $0.1 == nil }.map(\.0)
        if !missing.isEmpty {
            let alerts = try fetch(missing)
            for (i, id) in ids.enumerated() where texts[i] == nil {
                guard let alert = alerts[id] else { continue }
                let text = render(alert)
                rendered.store(text, id: id, base: key)
                texts[i] = text
            }
        }
        return texts.compactMap { $0 }
    }

    /// `POST /` with `{"queries": [{...}, ...]}`: MARS's bulk form. Each query is answered
    /// with up to `BulkRequest.limit` alerts and echoed back beside its results.
    func bulkListing(_ bulk: BulkRequest, _ request: Request) throws -> Response {
        let links = Links(request, publicBase: publicBase)
        let pages = try blamingExpression(bulk.queries.map(\.query)) {
            try archive.read { db in try bulk.queries.map { try db.listing($0.query, limit: BulkRequest.limit) } }
        }
        let results = JSONValue.array()
        for ((echo, _), page) in zip(bulk.queries, pages) {
            let entry = JSONValue.object()
            entry.set("query", echo)
            entry.set("count", .integer(Int64(page.count)))
            entry.set("count_is_estimate", .bool(page.countIsEstimate))
            entry.set("num_alerts", .integer(Int64(page.alerts.count)))
            entry.set("capped", .bool(page.hasNext))
            entry.set("results", AlertJSON.list(page.alerts.map { AlertJSON.alert($0, links: links) }))
            results.append(entry)
        }
        let response = JSONValue.object()
        response.set("results", results)
        response.set("capped", .bool(pages.contains { $0.hasNext }))
        return Responses.json(response)
    }
}
