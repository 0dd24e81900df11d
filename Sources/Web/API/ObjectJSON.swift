import JSON
import Model
import Store

/// The JSON shapes of objects: one per row of the objects listing, and the object page's.
enum ObjectJSON {
    /// `{"objectId", "url", "nalerts", "ndet", "firstjd", ..., "latest_id", "latest_alert"}`:
    /// every figure by its column name, null where nothing was measured.
    static func object(_ object: ObjectRecord, links: Links) -> JSONValue {
        let json = JSONValue.object()
        json.set("objectId", .string(object.objectId))
        json.set("url", .string(links.object(object.objectId)))
        for (name, value) in object.figures.entries {
            json.set(name, AlertJSON.value(value))
        }
        json.set("latest_alert", object.latestID.map { .string(links.alert($0)) } ?? .null())
        return json
    }

    /// The object, then `lightcurve`: every alert (`"kind": "alert"`, with its `lco_id`),
    /// history detection and non-detection, each once, by jd, in the detail's history shape.
    static func detail(_ detail: ObjectDetail, links: Links) -> JSONValue {
        let json = object(detail.object, links: links)
        json.set("lightcurve", AlertJSON.list(detail.lightCurve.map(AlertJSON.historyEntry)))
        return json
    }
}
