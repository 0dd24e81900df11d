import Export
import HTTP
import JSON
import Model
import Store

extension AlertService {
    /// `GET /<id>/`: the alert, its object's history, and where its cutouts are.
    func detail(_ id: Int64, _ request: Request, _ representation: Representation) throws -> Response {
        let found = try archive.read { db -> (AlertRecord, [HistoryEntry], [CutoutInfo], Int?, LatestAlert?)? in
            guard let alert = try db.alert(id: id) else { return nil }
            let cutouts = try db.cutouts(candid: alert.candid)
            let retiredAfter = representation == .html && cutouts.isEmpty ? try db.cutoutsRetiredAfterDays(alertID: id) : nil
            return (alert, try db.history(of: alert), cutouts, retiredAfter, representation == .html ? try db.latest() : nil)
        }
        guard let (alert, history, cutouts, cutoutsRetiredAfterDays, latest) = found else {
            return Responses.error(404, "no alert with id \(id)", as: representation)
        }
        switch representation {
        case .json, .csv, .votable:
            let links = Links(request, publicBase: publicBase)
            let body = AlertJSON.alert(alert, links: links)
            body.set("prv_candidate", AlertJSON.list(history.map(AlertJSON.historyEntry)))
            let urls = JSONValue.object()
            for cutout in cutouts { urls.set(cutout.kind, .string(links.cutout(id, cutout.kind))) }
            body.set("cutouts", urls)
            return Responses.json(body)
        case .html:
            let input = DetailPageInput(alert: alert, history: history,
                                        photometry: AlertStore.photometry(of: alert, history: history),
                                        cutouts: cutouts, cutoutsRetiredAfterDays: cutoutsRetiredAfterDays, latest: latest)
            return Responses.html(Pages.detail(input))
        }
    }

    /// `GET /<id>/photometry/`: the object's light curve.
    func photometry(_ id: Int64, _ representation: Representation) throws -> Response {
        let found = try archive.read { db -> (AlertRecord, [HistoryEntry])? in
            guard let alert = try db.alert(id: id) else { return nil }
            return (alert, try db.history(of: alert))
        }
        guard let (alert, history) = found else { return Responses.error(404, "no alert with id \(id)", as: representation) }
        let points = AlertStore.photometry(of: alert, history: history)
        switch representation {
        case .json:
            let body = JSONValue.object()
            body.set("lco_id", .integer(alert.id))
            body.set("objectId", .string(alert.objectId))
            body.set("photometry", AlertJSON.list(points.map(AlertJSON.photometry)))
            return Responses.json(body)
        case .csv, .votable:
            return Responses.table(AlertTables.photometry(alert, points), as: representation)
        case .html:
            return Responses.html(Pages.photometry(alert: alert, photometry: points))
        }
    }

    /// `GET /<id>/avro/`: the alert written back as the Avro packet it arrived as.
    func avro(_ id: Int64) throws -> Response {
        guard let stored = try archive.read({ try $0.storedAlert(id: id) }) else {
            return Responses.error(404, "no alert with id \(id)", as: .json)
        }
        let bytes = try AlertExporter().avroContainer(stored)
        let candid = (stored.candidate["candid"] ?? nil) ?? String(id)
        return Response(status: 200, headers: [("Content-Type", "application/avro"),
                                               ("Content-Disposition", "attachment; filename=\"\(candid).avro\"")], body: bytes)
    }
}
