import AlertDB
import HTTP
import JSON

extension AlertService {
    /// `GET /<id>/`: the alert, its object's history, and where its cutouts are.
    func detail(_ id: Int64, _ request: Request, _ representation: Representation) throws -> Response {
        let found = try pool.withConnection { db -> (AlertRecord, [HistoryEntry], [CutoutInfo], LatestAlert?)? in
            guard let alert = try store.alert(id: id, db: db) else { return nil }
            return (alert, try store.history(of: alert, db: db), try store.cutouts(candid: alert.candid, db: db),
                    representation == .html ? try store.latest(db: db) : nil)
        }
        guard let (alert, history, cutouts, latest) = found else {
            return Responses.error(404, "no alert with id \(id)", as: representation)
        }
        switch representation {
        case .json:
            let links = Links(request)
            let body = AlertJSON.alert(alert, links: links)
            body.set("prv_candidate", AlertJSON.list(history.map(AlertJSON.historyEntry)))
            let urls = JSONValue.object()
            for cutout in cutouts { urls.set(cutout.kind, .string(links.cutout(id, cutout.kind))) }
            body.set("cutouts", urls)
            return Responses.json(body)
        case .html:
            let input = DetailPageInput(alert: alert, history: history,
                                        photometry: AlertStore.photometry(of: alert, history: history),
                                        cutouts: cutouts, latest: latest)
            return Responses.html(Pages.detail(input))
        }
    }

    /// `GET /<id>/photometry/`: the object's light curve.
    func photometry(_ id: Int64, _ representation: Representation) throws -> Response {
        let found = try pool.withConnection { db -> (AlertRecord, [HistoryEntry])? in
            guard let alert = try store.alert(id: id, db: db) else { return nil }
            return (alert, try store.history(of: alert, db: db))
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
        case .html:
            return Responses.html(Pages.photometry(alert: alert, photometry: points))
        }
    }

    /// `GET /<id>/avro/`: the alert written back as the Avro packet it arrived as.
    func avro(_ id: Int64) throws -> Response {
        let found = try pool.withConnection { db -> (Int64, [UInt8])? in
            guard let bytes = try AlertExporter().avroContainer(alertID: id, connection: db),
                  let candid = try db.execute("SELECT candid FROM candidate WHERE id = $1::bigint", [String(id)])[0, 0] else { return nil }
            return (Int64(candid) ?? 0, bytes)
        }
        guard let (candid, bytes) = found else { return Responses.error(404, "no alert with id \(id)", as: .json) }
        return Response(status: 200, headers: [("Content-Type", "application/avro"),
                                               ("Content-Disposition", "attachment; filename=\"\(candid).avro\"")], body: bytes)
    }
}
