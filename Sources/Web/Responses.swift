import HTTP
import JSON
import Model
import Store

/// Ready-made responses: JSON, HTML, and errors in the representation the client asked for.
enum Responses {
    /// Numbers with 15 significant digits, as PostgreSQL itself printed doubles before version 12:
    /// ZTF's values (jd and coordinates to 7 decimals, single-precision measurements) print as
    /// stored, e.g. 75.2007803 rather than 75.200780300000005.
    static let realPrecision = 15

    static func json(_ value: JSONValue, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")],
                 body: Array(value.serialized(realPrecision: realPrecision).utf8))
    }

    /// `head` (a JSON object) with one more member, `key`, an array of `elements` that are
    /// each already JSON text made by Jansson (see `RenderedAlerts`). Joining finished texts
    /// with commas leaves every value as Jansson wrote it.
    static func json(_ head: JSONValue, appending key: String, elements: [[UInt8]]) -> Response {
        let headText = Array(head.serialized(realPrecision: realPrecision).utf8)
        precondition(headText.count > 2 && headText.last == UInt8(ascii: "}"), "head must be a non-empty JSON object")
        var body = [UInt8]()
        body.reserveCapacity(headText.count + elements.reduce(16 + key.utf8.count) { $0 + $1.count + 1 })
        body += headText.dropLast()
        body += Array(",".utf8) + Array(JSONValue.string(key).serialized().utf8) + Array(":[".utf8)
        for (i, element) in elements.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += element
        }
        body += Array("]}".utf8)
        return Response(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }

    static func html(_ text: String, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(text.utf8))
    }

    /// `{"error": message, "parameter": name}` (the key is present, maybe null, for 400s and
    /// whenever a parameter is named), or the error page.
    static func error(_ status: Int, _ message: String, parameter: String? = nil, as representation: Representation) -> Response {
        switch representation {
        case .json, .csv, .votable:
            let body = JSONValue.object()
            body.set("error", .string(message))
            if status == 400 || parameter != nil { body.set("parameter", parameter.map { .string($0) } ?? .null()) }
            return json(body, status: status)
        case .html:
            return html(Pages.error(status: status, message: message, parameter: parameter), status: status)
        }
    }

    /// 410 for a stamp `alertdb retention` retired: `{"error": message, "retired_after_days": n}`.
    static func retired(_ message: String, days: Int) -> Response {
        let body = JSONValue.object()
        body.set("error", string: message)
        body.set("retired_after_days", integer: Int64(days))
        return json(body, status: 410)
    }
}
