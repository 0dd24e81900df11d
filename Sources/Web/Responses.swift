import AlertDB
import HTTP
import JSON

/// Ready-made responses: JSON, HTML, and errors in the representation the client asked for.
enum Responses {
    /// Numbers with 15 significant digits, as PostgreSQL itself printed doubles before version 12:
    /// ZTF's values (jd and coordinates to 7 decimals, single-precision measurements) print as
    /// stored, e.g. 75.2007803 rather than 75.200780300000005.
    static func json(_ value: JSONValue, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")],
                 body: Array(value.serialized(realPrecision: 15).utf8))
    }

    static func html(_ text: String, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(text.utf8))
    }

    /// `{"error": message, "parameter": name}` (the key is present, maybe null, for 400s), or the error page.
    static func error(_ status: Int, _ message: String, parameter: String? = nil, as representation: Representation) -> Response {
        switch representation {
        case .json:
            let body = JSONValue.object()
            body.set("error", .string(message))
            if status == 400 { body.set("parameter", parameter.map { .string($0) } ?? .null()) }
            return json(body, status: status)
        case .html:
            return html(Pages.error(status: status, message: message, parameter: parameter), status: status)
        }
    }
}
