import Export
import HTTP

extension Responses {
    /// `table` as CSV (`text/csv; charset=utf-8`) or VOTable (`application/x-votable+xml`),
    /// saved as `<table name>.csv|.vot`. The paging links a JSON body carries go in a `Link`
    /// header (RFC 8288, `rel="next"` and `rel="prev"`); VOTable also has them as INFO
    /// elements of the table (`table.infos`).
    /// `rows`, when given, are the table's rows already written (`AlertService.renderedRows`).
    static func table(_ table: DataTable, as representation: Representation, rows: [[UInt8]]? = nil,
                      next: String? = nil, previous: String? = nil, exactReals: Bool = false) -> Response {
        let writer = representation.tableWriter(exactReals: exactReals)
        let body = rows.map { writer.write(table, rows: $0) } ?? writer.write(table)
        let (type, suffix) = representation == .votable ? ("application/x-votable+xml", "vot") : ("text/csv; charset=utf-8", "csv")
        let fileName = table.name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", type), ("Content-Disposition", "inline; filename=\"\(fileName).\(suffix)\""),
        ]
        let links = [next.map { "<\($0)>; rel=\"next\"" }, previous.map { "<\($0)>; rel=\"prev\"" }].compactMap { $0 }
        if !links.isEmpty { headers.append(("Link", links.joined(separator: ", "))) }
        return Response(status: 200, headers: headers, body: body)
    }
}

extension Representation {
    /// The writer of a table format (CSV for anything else).
    var tableWriter: any TableWriter { tableWriter(exactReals: false) }

    /// The writer of a table format, reals with every digit when `exactReals` (Rubin's tables).
    func tableWriter(exactReals: Bool) -> any TableWriter {
        self == .votable ? VOTableWriter(exactReals: exactReals) : CSVWriter(exactReals: exactReals)
    }
}
