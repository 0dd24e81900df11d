import Model
import Store

extension Pages {
    /// Writes a complete HTML5 document: head with the stylesheet, the site header (with the
    /// newest alert when known), then whatever `body` writes inside `<main>`.
    static func document(title: String, latest: LatestAlert? = nil, capacity: Int = 16_384,
                         body: (inout HTMLWriter) -> Void) -> String {
        var html = HTMLWriter(capacity: capacity)
        html.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
        html.text(title)
        // An empty icon: otherwise every browser asks for /favicon.ico, a 404 that would cost a
        // page view a second request of the client's budget.
        html.raw(" · alertdb</title><link rel=\"icon\" href=\"data:,\"><style>")
        html.raw(stylesheet)
        html.raw("</style></head><body>\n<header class=\"site\"><a class=\"brand\" href=\"/\">alertdb</a>")
        // The sections by survey, on every page: a reader chooses ZTF's or Rubin's alerts here.
        html.raw("<nav><span class=\"survey\">ZTF</span><a href=\"/\">Alerts</a><a href=\"/objects/\">Objects</a><a href=\"/latest/\">Latest</a>")
        html.raw("<span class=\"survey\">Rubin</span><a href=\"/rubin/\">Alerts</a><a href=\"/rubin/objects/\">Objects</a>")
        html.raw("<a href=\"/help/\">Help</a></nav>")
        if let latest { writeLatestLine(latest, into: &html, className: "latest") }
        html.raw("</header>\n<main>\n")
        body(&html)
        html.raw("\n</main>\n<footer>alertdb · ZTF and Rubin alerts · <a href=\"/help/\">how to use the pages and the API</a></footer>\n</body></html>\n")
        return html.output
    }

    /// "Latest alert: <wall_time> (<age> ago)", the time linking to that alert's page.
    static func writeLatestLine(_ latest: LatestAlert, into html: inout HTMLWriter, className: String) {
        html.raw("<span")
        html.attribute("class", className)
        html.raw(">Latest alert: ")
        html.link("/\(latest.id)/", latest.wallTime)
        html.raw(" (")
        html.text(Format.age(seconds: latest.ageSeconds))
        html.raw(" ago)</span>")
    }

    /// One label and value of a `<dl class="facts">`, both escaped.
    static func writeFact(_ label: String, _ value: String, into html: inout HTMLWriter) {
        html.raw("<div><dt>")
        html.text(label)
        html.raw("</dt><dd>")
        html.text(value)
        html.raw("</dd></div>")
    }
}
