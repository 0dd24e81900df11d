import Model
import Store

/// What the listing page (`GET /`) shows.
public struct ListingPageInput: Sendable {
    /// The request's query items, to refill the form.
    public var parameters: [(String, String)]
    /// Every filter; the form shows MARS's.
    public var catalogue: FilterCatalogue
    /// Columns the listing may be sorted by.
    public var sortValues: [String]
    /// This page's alerts, in order, each a row of the table (`Pages.listingRow`).
    public var rows: [String]
    /// How many alerts match the filters.
    public var count: Int
    /// True when `count` is the planner's estimate rather than an exact count.
    public var countIsEstimate: Bool
    /// The 1-based page number when paginating by page.
    public var page: Int?
    /// The previous page, already carrying the filters.
    public var previousURL: String?
    /// The next page, already carrying the filters.
    public var nextURL: String?
    /// The newest stored alert, for the header.
    public var latest: LatestAlert?
    /// A rejected request: the message, and the parameter at fault when there is one.
    public var error: (message: String, parameter: String?)?
    /// The same query as JSON.
    public var jsonURL: String

    /// Collects what the listing page shows.
    public init(parameters: [(String, String)], catalogue: FilterCatalogue, sortValues: [String],
                rows: [String], count: Int, countIsEstimate: Bool, page: Int?,
                previousURL: String?, nextURL: String?, latest: LatestAlert?,
                error: (message: String, parameter: String?)?, jsonURL: String) {
        self.parameters = parameters
        self.catalogue = catalogue
        self.sortValues = sortValues
        self.rows = rows
        self.count = count
        self.countIsEstimate = countIsEstimate
        self.page = page
        self.previousURL = previousURL
        self.nextURL = nextURL
        self.latest = latest
        self.error = error
        self.jsonURL = jsonURL
    }
}

extension Pages {
    /// The listing's table columns, MARS's choice: header, candidate field, numeric.
    static let listingColumns: [(header: String, field: String)] = [
        ("ra", "ra"), ("dec", "dec"), ("magpsf", "magpsf"), ("magap", "magap"), ("distnr", "distnr"),
        ("Δmaglatest", "deltamaglatest"), ("Δmagref", "deltamagref"), ("rb", "rb"),
    ]

    /// Parameters the form handles itself, or drops (a new search starts at the first page),
    /// rather than listing them among the other filters.
    static let nonFilterParameters: Set<String> = ["where", "sort_value", "sort_order", "page", "cursor", "format"]

    /// The listing page: header, filter form, error, count, the table of alerts and page links.
    public static func listing(_ input: ListingPageInput) -> String {
        document(title: "Alerts", latest: input.latest, capacity: 32_768 + input.rows.reduce(0) { $0 + $1.utf8.count }) { html in
            html.raw("<h1>ZTF alerts</h1>\n")
            if let error = input.error { writeErrorMessage(error.message, parameter: error.parameter, into: &html) }
            writeForm(input, into: &html)
            // A rejected query has no results: an empty table would read as "nothing matches".
            guard input.error == nil else { return }
            writeSummary(input, into: &html)
            writeTable(input.rows, into: &html)
            writePager(input, into: &html)
        }
    }

    private static func value(of name: String, in parameters: [(String, String)]) -> String {
        parameters.first { $0.0 == name && !$0.1.isEmpty }?.1 ?? ""
    }

    private static func placeholder(for type: FilterSpec.ValueType) -> String {
        switch type {
        case .real: return "number"
        case .integer: return "integer"
        case .text: return "text"
        case .objectId: return "ZTF18…"
        case .objectCone: return "ZTF18…,radius"
        case .time: return "2018-06-01T04:00:00"
        case .filterName: return "g, r or i"
        case .cone: return "ra,dec,radius"
        case .seconds: return "seconds"
        }
    }

    private static func writeForm(_ input: ListingPageInput, into html: inout HTMLWriter) {
        let errorParameter = input.error?.parameter
        html.raw("<form class=\"filters\" method=\"get\" action=\"/\">\n<div class=\"grid\">\n")
        for spec in input.catalogue.filters where spec.isMARS {
            let current = value(of: spec.parameter, in: input.parameters)
            let invalid = spec.parameter == errorParameter
            html.raw(invalid ? "<label class=\"invalid\"" : "<label")
            html.attribute("title", spec.help)
            html.raw("><span>")
            html.text(spec.parameter)
            html.raw("</span>")
            if spec.type == .filterName {
                html.raw("<select")
                html.attribute("name", spec.parameter)
                if invalid { html.raw(" aria-invalid=\"true\" aria-describedby=\"error\"") }
                html.raw(">")
                for (optionValue, label) in [("", "any")] + ZTFFilter.names.map({ ($0, $0) }) {
                    writeOption(optionValue, label: label, selected: current == optionValue, into: &html)
                }
                html.raw("</select>")
            } else {
                writeTextInput(spec.parameter, current, placeholder: placeholder(for: spec.type),
                               title: spec.help, invalid: invalid, into: &html)
            }
            html.raw("</label>\n")
        }
        html.raw("</div>\n")
        writeExpressionField(value(of: "where", in: input.parameters),
                             error: errorParameter == "where" ? input.error?.message : nil, into: &html)

        // Filters outside MARS's set (`rb__lt=...` typed into the address bar, or an unknown
        // name the server rejected) get a field too, so submitting the form keeps them.
        let marsNames = Set(input.catalogue.filters.lazy.filter(\.isMARS).map(\.parameter))
        var shown = Set<String>()
        let others = input.parameters.filter { name, value in
            !marsNames.contains(name) && !nonFilterParameters.contains(name)
                && (!value.isEmpty || name == errorParameter) && shown.insert(name).inserted
        }
        if !others.isEmpty {
            html.raw("<h3>Other filters</h3>\n<div class=\"grid\">\n")
            for (name, current) in others {
                let invalid = name == errorParameter
                let help = input.catalogue[name]?.help ?? "not a known filter"
                html.raw(invalid ? "<label class=\"invalid\"" : "<label")
                html.attribute("title", help)
                html.raw("><span>")
                html.text(name)
                html.raw("</span>")
                writeTextInput(name, current, placeholder: "", title: help, invalid: invalid, into: &html)
                html.raw("</label>\n")
            }
            html.raw("</div>\n")
        }

        html.raw("<div class=\"actions\">")
        writeSelect("sort_value", default: "jd (default)", choices: input.sortValues,
                    current: value(of: "sort_value", in: input.parameters), invalid: errorParameter == "sort_value", into: &html)
        writeSelect("sort_order", default: "desc (default)", choices: ["desc", "asc"],
                    current: value(of: "sort_order", in: input.parameters), invalid: errorParameter == "sort_order", into: &html)
        html.raw("<button type=\"submit\">Search</button><a href=\"/\">Clear</a><a href=\"/help/\">Help: filters, fields and the API</a></div>\n</form>\n")
    }

    /// The `where=` expression: a text box across the form, kept as typed, with the message
    /// of a rejected expression right under it (it names the character at fault).
    private static func writeExpressionField(_ current: String, error: String?, into html: inout HTMLWriter) {
        let help = "a condition over the alert's fields, e.g. magpsf < 19 AND (filter = 'g' OR rb >= 0.9); see /help/#expressions"
        html.raw(error == nil ? "<div class=\"expression\"><label" : "<div class=\"expression\"><label class=\"invalid\"")
        html.attribute("title", help)
        html.raw("><span>where <a href=\"/help/#expressions\">(expressions)</a></span><textarea name=\"where\" rows=\"2\" spellcheck=\"false\"")
        html.attribute("placeholder", "magpsf - magap < 0.5 AND NOT distnr < 1 AND filter IN ('g', 'r')")
        if error != nil { html.raw(" aria-invalid=\"true\" aria-describedby=\"where-error\" autofocus") }
        html.raw(">")
        html.text(current)
        html.raw("</textarea></label>")
        if let error {
            html.raw("<p class=\"field-error\" id=\"where-error\">")
            html.text(error)
            html.raw("</p>")
        }
        html.raw("</div>\n")
    }

    private static func writeTextInput(_ name: String, _ value: String, placeholder: String, title: String,
                                       invalid: Bool, into html: inout HTMLWriter) {
        html.raw("<input type=\"text\"")
        html.attribute("name", name)
        html.attribute("value", value)
        if !placeholder.isEmpty { html.attribute("placeholder", placeholder) }
        html.attribute("title", title)
        if invalid { html.raw(" aria-invalid=\"true\" aria-describedby=\"error\" autofocus") }
        html.raw(">")
    }

    /// A labelled select whose first option (empty value) is the server's default. A value
    /// the server refused still shows, so the person sees what was wrong.
    private static func writeSelect(_ name: String, default label: String, choices: [String], current: String,
                                    invalid: Bool, into html: inout HTMLWriter) {
        html.raw(invalid ? "<label class=\"invalid\">" : "<label>")
        html.raw("<span>")
        html.text(name)
        html.raw("</span><select")
        html.attribute("name", name)
        if invalid { html.raw(" aria-invalid=\"true\" aria-describedby=\"error\"") }
        html.raw(">")
        writeOption("", label: label, selected: current.isEmpty, into: &html)
        for choice in choices { writeOption(choice, label: choice, selected: choice == current, into: &html) }
        if !current.isEmpty && !choices.contains(current) { writeOption(current, label: current, selected: true, into: &html) }
        html.raw("</select></label>")
    }

    private static func writeOption(_ value: String, label: String, selected: Bool, into html: inout HTMLWriter) {
        html.raw("<option")
        html.attribute("value", value)
        if selected { html.raw(" selected") }
        html.raw(">")
        html.text(label)
        html.raw("</option>")
    }

    private static func writeSummary(_ input: ListingPageInput, into html: inout HTMLWriter) {
        html.raw("<div class=\"summary\"><span class=\"count\">")
        html.text(Format.alertCount(input.count, isEstimate: input.countIsEstimate))
        html.raw("</span>")
        if let page = input.page {
            html.raw("<span class=\"muted\">page \(page)</span>")
        }
        html.link(input.jsonURL, "this query as JSON")
        html.raw("</div>\n")
    }

    private static func writeTable(_ rows: [String], into html: inout HTMLWriter) {
        html.raw("<div class=\"scroll\"><table class=\"alerts\">\n<thead><tr><th class=\"num\">id</th><th>objectId</th><th>time (UTC)</th><th>filter</th>")
        for column in listingColumns {
            html.raw("<th class=\"num\">")
            html.text(column.header)
            html.raw("</th>")
        }
        html.raw("</tr></thead>\n<tbody>\n")
        for row in rows { html.raw(row) }
        if rows.isEmpty {
            html.raw("<tr><td colspan=\"\(4 + listingColumns.count)\" class=\"muted\">No alert matches these filters.</td></tr>\n")
        }
        html.raw("</tbody></table></div>\n")
    }

    /// An alert's row of the listing's table. Its links are relative, so one text serves every
    /// host, and a stored alert never changes: the server keeps the rows it has written.
    static func listingRow(_ alert: AlertRecord) -> String {
        var html = HTMLWriter(capacity: 1_024)
        let candidate = alert.candidate
        html.raw("<tr><td class=\"num\"><a href=\"/\(alert.id)/\">\(alert.id)</a></td><td>")
        html.link("/?objectId=" + Links.escape(alert.objectId), alert.objectId)
        html.raw("</td><td>")
        html.text(Format.exact(candidate["wall_time"]))
        html.raw("</td><td>")
        html.text(Format.exact(candidate["filter"]))
        html.raw("</td>")
        for column in listingColumns {
            html.raw("<td class=\"num\">")
            html.text(Format.rounded(candidate[column.field], column: column.field))
            html.raw("</td>")
        }
        html.raw("</tr>\n")
        return html.output
    }

    private static func writePager(_ input: ListingPageInput, into html: inout HTMLWriter) {
        html.raw("<nav class=\"pager\">")
        if let previous = input.previousURL {
            html.link(previous, "‹ Previous", className: "prev")
        } else {
            html.raw("<span class=\"disabled\">‹ Previous</span>")
        }
        if let next = input.nextURL {
            html.link(next, "Next ›", className: "next")
        } else {
            html.raw("<span class=\"disabled\">Next ›</span>")
        }
        html.raw("</nav>\n")
    }
}
