import Foundation
import JSON
import Model
import Store

/// The JSON shapes of the API, MARS's where MARS had one.
enum AlertJSON {
    /// JSON has no NaN or infinity (some ZTF catalogue fields hold NaN): those are null.
    static func value(_ value: FieldValue) -> JSONValue {
        switch value {
        case .null: return .null()
        case .integer(let i): return .integer(i)
        case .real(let d): return d.isFinite ? .real(d) : .null()
        case .text(let s): return .string(s)
        case .bool(let b): return .bool(b)
        }
    }

    /// The fields as an object; with `omittingNulls`, fields without a value are left out.
    static func fields(_ fields: Fields, omittingNulls: Bool = false) -> JSONValue {
        let object = JSONValue.object()
        for (name, field) in fields.entries {
            switch field {
            case .null: if !omittingNulls { object.setNull(name) }
            case .integer(let i): object.set(name, integer: i)
            case .real(let d): if d.isFinite { object.set(name, real: d) } else { object.setNull(name) }
            case .text(let s): object.set(name, string: s)
            case .bool(let b): object.set(name, bool: b)
            }
        }
        return object
    }

    /// `{"lco_id", "objectId", "publisher", "candid", "avro", "candidate": {...}}`.
    static func alert(_ alert: AlertRecord, links: Links) -> JSONValue {
        let object = head(id: alert.id, objectId: alert.objectId, publisher: alert.publisher, candid: alert.candid, links: links)
        object.set("candidate", fields(alert.candidate))
        return object
    }

    /// The same object as `alert`, as text, from fields PostgreSQL printed (`CandidateJSON`),
    /// with `wall_time` and `filter` after them, as `RowDecoder.fields` adds them.
    static func alert(_ alert: AlertCells, links: Links) -> [UInt8] {
        let opening = head(id: alert.id, objectId: alert.objectId, publisher: alert.publisher, candid: alert.candid, links: links)
        let derived = JSONValue.object()
        derived.set("wall_time", alert.jd.map { .string(JulianDate.isoTime($0)) } ?? .null())
        derived.set("filter", alert.fid.flatMap { ZTFFilter.name(fid: $0) }.map { .string($0) } ?? .null())
        // `{opening..., "candidate": {fields..., derived...}}`, objects joined at their braces.
        var text = Array(opening.serialized(realPrecision: Responses.realPrecision).utf8.dropLast())
        text.reserveCapacity(4096)
        text += #","candidate":{"#.utf8
        text += alert.members
        text.append(UInt8(ascii: ","))
        text += derived.serialized().utf8.dropFirst()
        text.append(UInt8(ascii: "}"))
        return text
    }

    /// An alert's members before its `candidate`.
    private static func head(id: Int64, objectId: String, publisher: String?, candid: Int64, links: Links) -> JSONValue {
        let object = JSONValue.object()
        object.set("lco_id", .integer(id))
        object.set("objectId", .string(objectId))
        object.set("publisher", publisher.map { .string($0) } ?? .null())
        object.set("candid", .integer(candid))
        object.set("avro", .string(links.avro(id)))
        return object
    }

    /// Each name as a JSON object's key, `"name":`, for `ArchiveReader.alertCells`.
    static func candidateKeys(_ names: [String]) -> [[UInt8]] {
        names.map { Array(JSONValue.string($0).serialized().utf8) + [UInt8(ascii: ":")] }
    }

    /// One history point: `{"kind", "lco_id" (other alerts only), "candidate": {...}}`. A
    /// non-detection's candidate holds only the fields it has, as MARS sent it (jd, fid,
    /// diffmaglim, ...): MARS clients tell an upper limit from a detection by whether the key
    /// `magpsf` is there at all (TOM Toolkit's MARS module stored `"magpsf": null` as a
    /// magnitude of None).
    static func historyEntry(_ entry: HistoryEntry) -> JSONValue {
        let object = JSONValue.object()
        switch entry.kind {
        case .alert(let id):
            object.set("kind", .string("alert"))
            object.set("lco_id", .integer(id))
        case .detection:
            object.set("kind", .string("detection"))
        case .nonDetection:
            object.set("kind", .string("nondetection"))
        }
        object.set("candidate", fields(entry.candidate, omittingNulls: entry.kind == .nonDetection))
        return object
    }

    static func photometry(_ point: PhotometryPoint) -> JSONValue {
        let object = JSONValue.object()
        object.set("jd", .real(point.jd))
        object.set("filter", .string(point.filter))
        object.set("magpsf", value(point.magpsf.map { .real($0) } ?? .null))
        object.set("sigmapsf", value(point.sigmapsf.map { .real($0) } ?? .null))
        object.set("diffmaglim", value(point.diffmaglim.map { .real($0) } ?? .null))
        object.set("isdiffpos", point.isdiffpos.map { .string($0) } ?? .null())
        return object
    }

    /// `{"id", "jd", "wall_time"}` for the listing; `/latest/` adds candid and age_seconds (of
    /// the observation), and stored_at and stored_age_seconds (of the last load).
    static func latest(_ latest: LatestAlert?, full: Bool = false) -> JSONValue {
        guard let latest else { return .null() }
        let object = JSONValue.object()
        object.set("id", .integer(latest.id))
        if full { object.set("candid", .integer(latest.candid)) }
        object.set("jd", .real(latest.jd))
        object.set("wall_time", .string(latest.wallTime))
        if full {
            object.set("age_seconds", .real((latest.ageSeconds * 1000).rounded() / 1000))
            let now = Date().timeIntervalSince1970
            object.set("stored_at", latest.storedAt.map { .string(JulianDate.isoTime(JulianDate.from(unixSeconds: $0))) } ?? .null())
            object.set("stored_age_seconds", latest.storedAgeSeconds(now: now).map { .real(($0 * 1000).rounded() / 1000) } ?? .null())
        }
        return object
    }

    static func list(_ values: [JSONValue]) -> JSONValue {
        let array = JSONValue.array()
        for value in values { array.append(value) }
        return array
    }
}
