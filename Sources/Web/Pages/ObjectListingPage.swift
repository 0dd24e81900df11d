import Model
import Store

/// What the objects listing page (`GET /objects/`) shows.
public struct ObjectListingPageInput: Sendable {
    /// The request's query items, to refill the form.
    public var parameters: [(String, String)]
    /// This page's objects, in order.
    public var objects: [ObjectRecord]
    /// How many objects match the filters.
    public var count: Int
    /// True when `count` is the planner's estimate rather than an exact count.
    public var countIsEstimate: Bool
    /// The 1-based page number when paginating by page.
    public var page: Int?
    /// The previous and next pages, already carrying the filters.
    public var previousURL: String?
    public var nextURL: String?
    /// A rejected request: the message, and the parameter at fault when there is one.
    public var error: (message: String, parameter: String?)?
    /// The same query as JSON.
    public var jsonURL: String

    /// Collects what the objects listing page shows.
    public init(parameters: [(String, String)], objects: [ObjectRecord], count: Int, countIsEstimate: Bool, page: Int?,
                previousURL: String?, nextURL: String?, error: (message: String, parameter: String?)?, jsonURL: String) {
        (self.parameters, self.objects, self.count, self.countIsEstimate, self.page) = (parameters, objects, count, countIsEstimate, page)
        (self.previousURL, self.nextURL, self.error, self.jsonURL) = (previousURL, nextURL, error, jsonURL)
    }
}

extension Pages {
    /// The filters the objects form shows; any other one given stays in a field of its own.
    static let objectFormFilters = ["cone", "ndet__gte", "nalerts__gte", "firstjd__gt", "lastjd__gt",
                                    "brightest_g__lte", "brightest_r__lte", "brightest_i__lte"]

    /// The objects listing: the filter form, the count, the table and page links.
    public static func objectListing(_ input: ObjectListingPageInput) -> String {
        document(title: "Objects", capacity: 24_000 + input.objects.count * 900) { html in
            html.raw("<h1>ZTF objects</h1>\n")
            if let error = input.error { writeErrorMessage(error.message, parameter: error.parameter, into: &html) }
            writeObjectForm(input, into: &html)
            guard input.error == nil else { return }
            html.raw("<div class=\"summary\"><span class=\"count\">")
            html.text(objectCount(input.count, isEstimate: input.countIsEstimate))
            html.raw("</span>")
            if let page = input.page { html.raw("<span class=\"muted\">page \(page)</span>") }
            html.link(input.jsonURL, "this query as JSON")
            html.raw("</div>\n")
            writeObjectTable(input.objects, into: &html)
            html.raw("<nav class=\"pager\">")
            if let previous = input.previousURL { html.link(previous, "‹ Previous", className: "prev") } else { html.raw("<span class=\"disabled\">‹ Previous</span>") }
            if let next = input.nextURL { html.link(next, "Next ›", className: "next") } else { html.raw("<span class=\"disabled\">Next ›</span>") }
            html.raw("</nav>\n")
        }
    }

    /// "1 object", "123 objects", or for an estimate "about 12,000 objects".
    static func objectCount(_ count: Int, isEstimate: Bool) -> String {
        // The alerts' wording, rounding included, with the noun changed.
        let alerts = Format.alertCount(count, isEstimate: isEstimate)
        return alerts.hasSuffix(" alerts") ? String(alerts.dropLast(7)) + " objects" : String(alerts.dropLast(6)) + " object"
    }

    private static func writeObjectForm(_ input: ObjectListingPageInput, into html: inout HTMLWriter) {
        let errorParameter = input.error?.parameter
        func current(_ name: String) -> String { input.parameters.first { $0.0 == name && !$0.1.isEmpty }?.1 ?? "" }
        func field(_ name: String, help: String, placeholder: String) {
            let invalid = name == errorParameter
            html.raw(invalid ? "<label class=\"invalid\"" : "<label")
            html.attribute("title", help)
            html.raw("><span>")
            html.text(name)
            html.raw("</span><input type=\"text\"")
            html.attribute("name", name)
            html.attribute("value", current(name))
            if !placeholder.isEmpty { html.attribute("placeholder", placeholder) }
            html.attribute("title", help)
            if invalid { html.raw(" aria-invalid=\"true\" aria-describedby=\"error\" autofocus") }
            html.raw("></label>\n")
        }
        html.raw("<form class=\"filters\" method=\"get\" action=\"/objects/\">\n<div class=\"grid\">\n")
        for name in objectFormFilters {
            let spec = ObjectCatalogue.filter(name)
            field(name, help: spec?.help ?? "", placeholder: spec?.type == .cone ? "ra,dec,radius" : "number")
        }
        html.raw("</div>\n")
        // Any other filter given (typed into the address bar, or refused) keeps a field, so that
        // submitting the form keeps it.
        var shown = Set(objectFormFilters + ObjectListingQuery.controlParameters + ["format"])
        let others = input.parameters.filter { name, value in (!value.isEmpty || name == errorParameter) && shown.insert(name).inserted }
        if !others.isEmpty {
            html.raw("<h3>Other filters</h3>\n<div class=\"grid\">\n")
            for (name, _) in others { field(name, help: ObjectCatalogue.filter(name)?.help ?? "not a known filter", placeholder: "") }
            html.raw("</div>\n")
        }
        html.raw("<div class=\"actions\">")
        for (name, label, choices) in [("sort_value", "lastjd (default)", ObjectCatalogue.sortValues), ("sort_order", "desc (default)", ["desc", "asc"])] {
            let selected = current(name)
            html.raw(name == errorParameter ? "<label class=\"invalid\"><span>" : "<label><span>")
            html.text(name)
            html.raw("</span><select")
            html.attribute("name", name)
            html.raw(">")
            for (value, text) in [("", label)] + (choices + (selected.isEmpty || choices.contains(selected) ? [] : [selected])).map({ ($0, $0) }) {
                html.raw("<option")
                html.attribute("value", value)
                if value == selected { html.raw(" selected") }
                html.raw(">")
                html.text(text)
                html.raw("</option>")
            }
            html.raw("</select></label>")
        }
        html.raw("<button type=\"submit\">Search</button><a href=\"/objects/\">Clear</a><a href=\"/help/#objects\">Help: the figures and filters</a></div>\n</form>\n")
    }

    /// The listing's columns: header, figure.
    static let objectColumns: [(header: String, field: String)] = [
        ("ndet", "ndet"), ("alerts", "nalerts"), ("ra", "ra"), ("dec", "dec"),
        ("brightest g", "brightest_g"), ("brightest r", "brightest_r"), ("brightest i", "brightest_i"),
        ("latest g", "lastmag_g"), ("latest r", "lastmag_r"), ("latest i", "lastmag_i"),
    ]

    private static func writeObjectTable(_ objects: [ObjectRecord], into html: inout HTMLWriter) {
        html.raw("<div class=\"scroll\"><table class=\"objects\">\n<thead><tr><th>objectId</th><th>first detection (UTC)</th><th>last detection (UTC)</th>")
        for column in objectColumns {
            html.raw("<th class=\"num\">")
            html.text(column.header)
            html.raw("</th>")
        }
        html.raw("</tr></thead>\n<tbody>\n")
        for object in objects {
            html.raw("<tr><td>")
            html.link("/objects/\(Links.escape(object.objectId))/", object.objectId)
            for jd in ["firstjd", "lastjd"] {
                html.raw("</td><td>")
                if let value = object.figures[jd].double, value.isFinite { html.text(JulianDate.isoTime(value)) }
            }
            html.raw("</td>")
            for column in objectColumns {
                html.raw("<td class=\"num\">")
                let magnitude = column.field.hasPrefix("brightest_") || column.field.hasPrefix("lastmag_")
                html.text(Format.rounded(object.figures[column.field], column: magnitude ? "magpsf" : column.field))
                html.raw("</td>")
            }
            html.raw("</tr>\n")
        }
        if objects.isEmpty {
            html.raw("<tr><td colspan=\"\(3 + objectColumns.count)\" class=\"muted\">No object matches these filters.</td></tr>\n")
        }
        html.raw("</tbody></table></div>\n")
    }
}
