import HTTP
import Store

/// How the client wants an answer: `?format=json|html|csv|votable`, else its Accept header,
/// else HTML; a POST (MARS's bulk form, a JSON body) is answered in JSON, its errors too.
/// CSV and VOTable are tables, offered where the answer is rows (`isTable`); their errors are JSON.
enum Representation: Equatable {
    case json, html, csv, votable

    init(_ request: Request) throws {
        switch request.query.last(where: { $0.name == "format" && !$0.value.isEmpty })?.value {
        case "json": self = .json
        case "html": self = .html
        case "csv": self = .csv
        case "votable": self = .votable
        case nil where request.method == "POST":
            self = .json
        case nil:
            let accept = request.header("Accept") ?? ""
            self = accept.contains("application/json") && !accept.contains("text/html") ? .json : .html
        case let other?:
            throw ParameterError("format", "format must be json, html, csv or votable, not '\(other.prefix(40))'")
        }
    }

    /// CSV or VOTable.
    var isTable: Bool { self == .csv || self == .votable }

    /// The `format` value that asks for this representation again (for links to other pages).
    var formatValue: String {
        switch self {
        case .json: return "json"
        case .html: return "html"
        case .csv: return "csv"
        case .votable: return "votable"
        }
    }

    /// The representation of a route whose answer is not rows: a table format is the client's mistake.
    func withoutTables() throws -> Representation {
        guard !isTable else {
            throw ParameterError("format", "format=\(formatValue) is offered for the alert and object listings, an object's page and photometry only; use json or html here")
        }
        return self
    }
}
