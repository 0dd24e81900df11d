import Cutouts
import Export
import HTTP
import JSON
import Model
import Store
import Synchronization

/// The Rubin tables' catalogue, read from the database at the first Rubin request (the columns
/// of a migration applied while serving are seen after a restart, as ZTF's are).
final class RubinCatalogueCache: Sendable {
    private let catalogue = Mutex<RubinCatalogue?>(nil)

    func get(_ archive: Archive) throws -> RubinCatalogue {
        if let known = catalogue.withLock({ $0 }) { return known }
        let read = try archive.read { try $0.rubinCatalogue() }
        catalogue.withLock { $0 = read }
        return read
    }
}

extension AlertService {
    /// Answers a route under `/rubin/`: HTML or JSON as asked, the listings CSV and VOTable too
    /// (stamps as files, `/rubin/latest/` in JSON).
    func rubin(_ route: RubinRoute, _ request: Request, _ representation: Representation) throws -> Response {
        let links = Links(request, publicBase: publicBase)
        // A `format` other than json or html is the client's mistake, on the routes that answer
        // only JSON too (a stamp's `format` is its own: png).
        if !Self.isCutout(route), !Self.isAvro(route) { _ = try Representation(request) }
        // Tables (CSV, VOTable) are the listings' rows; a page of one alert or object is not one.
        if route != .listing, route != .objects, !Self.isCutout(route), !Self.isAvro(route) { _ = try representation.withoutTables() }
        switch route {
        case .listing, .objects:
            let catalogue = try rubinCatalogue.get(archive)
            let table = route == .listing ? catalogue.sources : catalogue.objects
            let items = request.query.filter { $0.name != "format" }
            let path = route == .listing ? "/rubin/" : "/rubin/objects/"
            let jsonURL = links.base + path + "?" + Links.encode(items + [("format", "json")])
            let query: RubinListingQuery
            do {
                query = try RubinListingQuery.parse(items, table: table)
            } catch let error as ParameterError where representation == .html {
                return Responses.html(Pages.rubinListing(objects: route == .objects, parameters: items, rows: [], count: 0, capped: false, nextURL: nil,
                                                         jsonURL: jsonURL, error: (error.message, error.parameter)), status: 400)
            }
            let page = try rubinListingPage(query, table: table, objects: route == .objects)
            if representation == .html {
                let next = page.nextCursor.map { links.base + path + "?" + Links.encode(query.filterItems + [("cursor", $0)]) }
                let rows = rubinShownRows(page, objects: route == .objects)
                return Responses.html(Pages.rubinListing(objects: route == .objects, parameters: items, rows: rows, count: page.count, capped: page.countIsCapped,
                                                         nextURL: next, jsonURL: jsonURL))
            }
            // The next page in the format asked for, as ZTF's listings link theirs.
            let nextURL = PageLinks(request, representation, filterItems: query.filterItems, pageNumber: nil, hasNext: page.nextCursor != nil,
                                    nextCursor: page.nextCursor, previousCursor: nil, link: { links.base + path + "?" + Links.encode($0) }).next
            if representation.isTable {
                // The JSON rows PostgreSQL wrote, flattened to the table's columns, with every
                // digit the JSON has (a time to the microsecond needs 17).
                let columns = RubinTables.columns(table)
                let writer = representation.tableWriter(exactReals: true)
                let rows = page.rows.compactMap { try? JSONValue.parse(Array($0.utf8)) }.map { writer.row(RubinTables.row($0, columns), columns) }
                let infos = Self.pageInfos(page.count, page.countIsCapped, nextURL, nil)
                return Responses.table(RubinTables.listing(table, columns: columns, infos: infos), as: representation, rows: rows, next: nextURL,
                                       exactReals: true)
            }
            let body = JSONValue.object()
            body.set("count", .integer(Int64(page.count)))
            body.set("count_is_estimate", .bool(page.countIsCapped))
            body.set("has_next", .bool(page.nextCursor != nil))
            body.set("next", nextURL.map { .string($0) } ?? .null())
            return Responses.json(body, appending: "results", elements: page.rows.map { Array($0.utf8) })
        case .source(let id):
            let catalogue = try rubinCatalogue.get(archive)
            guard let json = try archive.read({ try $0.rubinSource(id, catalogue: catalogue) }) else {
                return Responses.error(404, "no Rubin alert with diaSourceId \(id)", as: representation)
            }
            if representation == .html { return Responses.html(Pages.rubinSource(try JSONValue.parse(Array(json.utf8)), id: id)) }
            return Response(status: 200, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        case .object(let id):
            guard let json = try archive.read({ try $0.rubinObject(id) }) else {
                return Responses.error(404, "no Rubin object with diaObjectId \(id)", as: representation)
            }
            if representation == .html { return Responses.html(Pages.rubinObject(try JSONValue.parse(Array(json.utf8)), id: id)) }
            return Response(status: 200, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        case .cutout(let id, let kind):
            let (png, stretch) = try Self.stampRendering(request)
            let found = try archive.read { db -> (stamp: [UInt8]?, retiredAfter: Int?) in
                if let stamp = try db.rubinCutout(id, kind: kind) { return (stamp, nil) }
                return (nil, try db.rubinCutoutsRetiredAfterDays(id))
            }
            guard let stamp = found.stamp else {
                // As for ZTF: a stamp `alertdb retention` retired is gone for good, 410 and not 404.
                if let days = found.retiredAfter {
                    return Responses.retired("the \(kind) cutout of Rubin alert \(id) was retired after \(days) days", days: days)
                }
                return Responses.error(404, "no \(kind) cutout for Rubin alert \(id)", as: .json)
            }
            let cache = ("Cache-Control", "public, max-age=86400")
            if png {
                do {
                    let rendered = try CutoutImage.renderPNG(stamp: stamp, stretch: stretch)
                    return Response(status: 200, headers: [("Content-Type", "image/png"), cache], body: rendered)
                } catch {
                    return Responses.error(404, "the \(kind) cutout of Rubin alert \(id) cannot be shown as PNG: \(error)", as: .json)
                }
            }
            return Response(status: 200, headers: [("Content-Type", "application/fits"), cache,
                                                   ("Content-Disposition", "attachment; filename=\"\(id)-\(kind).fits\"")], body: stamp)
        case .avro(let id):
            guard let stored = try archive.read({ try $0.rubinPacket(id) }) else {
                return Responses.error(404, "no Rubin alert with diaSourceId \(id)", as: .json)
            }
            do {
                let bytes = try RubinExporter().avroContainer(schemaJSON: stored.schemaJSON, packetJSON: stored.packetJSON)
                return Response(status: 200, headers: [("Content-Type", "application/avro"),
                                                       ("Content-Disposition", "attachment; filename=\"\(id).avro\"")], body: bytes)
            } catch {
                Log.serve("/rubin/\(id)/avro/: \(error)")
                return Responses.error(500, "the alert cannot be written back as its packet", as: .json)
            }
        case .latest:
            guard let newest = try archive.read({ try $0.rubinLatest() }) else {
                return Responses.error(404, "no Rubin alert is stored yet", as: .json)
            }
            let body = JSONValue.object()
            body.set("diaSourceId", .integer(newest.diaSourceId))
            body.set("midpointMjdTai", .real(newest.midpointMjdTai))
            body.set("time", .string(RubinTime.isoTime(mjdTai: newest.midpointMjdTai)))
            body.set("age_seconds", .real(((JulianDate.now - RubinTime.julianDateUTC(mjdTai: newest.midpointMjdTai)) * 86_400).rounded()))
            body.set("url", .string("\(links.base)/rubin/\(newest.diaSourceId)/"))
            // Every digit of the time, as the other Rubin routes give it (ZTF's print 15).
            return Response(status: 200, headers: [("Content-Type", "application/json")], body: Array(body.serialized().utf8))
        case .notFound:
            return Responses.error(404, "no such page: \(request.path.prefix(200))", as: representation)
        }
    }

    private static func isAvro(_ route: RubinRoute) -> Bool {
        if case .avro = route { return true }
        return false
    }

    private static func isCutout(_ route: RubinRoute) -> Bool {
        if case .cutout = route { return true }
        return false
    }
}
