import HTTP
import Store

/// How the client wants an answer: `?format=json|html`, else its Accept header, else HTML;
/// a POST (MARS's bulk form, a JSON body) is answered in JSON, its errors too.
enum Representation {
    case json, html

    init(_ request: Request) throws {
        switch request.query.last(where: { $0.name == "format" && !$0.value.isEmpty })?.value {
        case "json": self = .json
        case "html": self = .html
        case nil where request.method == "POST":
            self = .json
        case nil:
            let accept = request.header("Accept") ?? ""
            self = accept.contains("application/json") && !accept.contains("text/html") ? .json : .html
        case let other?:
            throw ParameterError("format", "format must be json or html, not '\(other.prefix(40))'")
        }
    }
}
