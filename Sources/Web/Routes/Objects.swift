import HTTP
import JSON
import Model
import Store

extension AlertService {
    /// `GET /objects/`: one page of objects, the most recently detected first, filtered.
    func objectListing(_ request: Request, _ representation: Representation) throws -> Response {
        let items = request.query.filter { $0.name != "format" }
        let links = Links(request, publicBase: publicBase)
        let query: ObjectListingQuery
        do {
            query = try ObjectListingQuery.parse(items)
        } catch let error as ParameterError where representation == .html {
            // The form again, with the message beside the field at fault.
            let input = ObjectListingPageInput(parameters: items, objects: [], count: 0, countIsEstimate: false, page: nil,
                                               previousURL: nil, nextURL: nil, error: (error.message, error.parameter),
                                               jsonURL: links.objects(items + [("format", "json")]))
            return Responses.html(Pages.objectListing(input), status: 400)
        }
        let page = try archive.read { try $0.objects(query) }
        let pages = PageLinks(request, representation, filterItems: query.filterItems, pageNumber: query.pageNumber,
                              hasNext: page.hasNext, nextCursor: page.nextCursor, previousCursor: page.previousCursor,
                              link: { links.objects($0) })

        switch representation {
        case .json:
            let body = pages.json(count: page.count, countIsEstimate: page.countIsEstimate, hasNext: page.hasNext,
                                  hasPrevious: page.hasPrevious)
            body.set("results", AlertJSON.list(page.objects.map { ObjectJSON.object($0, links: links) }))
            return Responses.json(body)
        case .csv, .votable:
            let table = AlertTables.objects(page.objects, infos: Self.pageInfos(page.count, page.countIsEstimate, pages.next, pages.previous))
            return Responses.table(table, as: representation, next: pages.next, previous: pages.previous)
        case .html:
            let input = ObjectListingPageInput(parameters: items, objects: page.objects, count: page.count,
                                               countIsEstimate: page.countIsEstimate, page: query.pageNumber,
                                               previousURL: pages.previous, nextURL: pages.nextForPage, error: nil, jsonURL: links.objects(items + [("format", "json")]))
            return Responses.html(Pages.objectListing(input))
        }
    }

    /// `GET /objects/<objectId>/`: the object's figures and its whole light curve.
    func objectPage(_ name: String, _ request: Request, _ representation: Representation) throws -> Response {
        let found = try archive.read { db -> (ObjectDetail, LatestAlert?)? in
            guard let detail = try db.objectDetail(named: name) else { return nil }
            return (detail, representation == .html ? try db.latest() : nil)
        }
        guard let (detail, latest) = found else {
            return Responses.error(404, "no alert of an object named \(name) is stored", as: representation)
        }
        switch representation {
        case .json:
            return Responses.json(ObjectJSON.detail(detail, links: Links(request, publicBase: publicBase)))
        case .csv, .votable:
            return Responses.table(AlertTables.lightCurve(detail), as: representation)
        case .html:
            return Responses.html(Pages.object(detail, latest: latest))
        }
    }

    /// `GET /<objectId>/`: where an object's page is, for a name typed or linked after the
    /// site's address (as alerts are, by id). The redirect is permanent, as an object's page
    /// does not move, and a 301: only GET and HEAD are answered here, for which 301 and 308 mean
    /// the same, and every client follows a 301. It goes to the name as stored (ZTF18abcdefg
    /// for /ztf18ABCDEFG/) and keeps the query (`?format=json`). A name with no stored alert
    /// is a 404 here rather than at the target, so a typo costs one request, not two.
    func objectRedirect(_ name: String, _ request: Request, _ representation: Representation) throws -> Response {
        guard let object = try archive.read({ try $0.object(named: name) }) else {
            return Responses.error(404, "no alert of an object named \(name) is stored", as: representation)
        }
        let location = Links(request, publicBase: publicBase).object(object.objectId, request.query)
        var response: Response
        switch representation {
        case .json, .csv, .votable:
            let body = JSONValue.object()
            body.set("location", .string(location))
            response = Responses.json(body, status: 301)
        case .html:
            response = Responses.html(Pages.moved(to: location), status: 301)
        }
        response.headers.append(("Location", location))
        return response
    }
}

extension AlertService {
    /// `/help/?format=json`'s `objects`: the figures, filters and sort values of `/objects/`.
    func objectsHelp() -> JSONValue {
        let body = JSONValue.object()
        body.set("figures", AlertJSON.list(ObjectCatalogue.columns.map { column in
            let object = JSONValue.object()
            object.set("name", .string(column.name))
            object.set("type", .string(column.type.name))
            object.set("help", .string(column.help))
            return object
        }))
        body.set("filters", AlertJSON.list(ObjectCatalogue.filters.map { spec in
            let object = JSONValue.object()
            object.set("parameter", .string(spec.parameter))
            object.set("column", .string(spec.column))
            object.set("type", .string(spec.type.rawValue))
            object.set("help", .string(spec.help))
            return object
        }))
        body.set("controls", AlertJSON.list((ObjectListingQuery.controlParameters + ["format", "where"]).map { .string($0) }))
        body.set("sort_values", AlertJSON.list(ObjectCatalogue.sortValues.map { .string($0) }))
        return body
    }
}
