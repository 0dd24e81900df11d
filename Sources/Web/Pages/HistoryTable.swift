import Model
import Store

/// The table of an object's points (alerts, history detections, non-detections), on an
/// alert's page and on the object's page alike.
enum HistoryTable {
    /// One row per entry; `showCandid` adds the candid column (the object's page, where the
    /// points come from several alerts); `cssClass` names the table for the stylesheet.
    static func write(_ entries: [HistoryEntry], cssClass: String, showCandid: Bool, into html: inout HTMLWriter) {
        let candidHeader = showCandid ? "<th class=\"num\">candid</th>" : ""
        html.raw("<div class=\"scroll\"><table class=\"\(cssClass)\"><thead><tr><th>kind</th><th class=\"num\">jd</th><th>time (UTC)</th><th>filter</th><th class=\"num\">magpsf</th><th class=\"num\">diffmaglim</th><th>isdiffpos</th>\(candidHeader)<th>alert</th></tr></thead><tbody>\n")
        for entry in entries {
            let fields = entry.candidate
            html.raw("<tr><td>")
            switch entry.kind {
            case .alert: html.raw("alert")
            case .detection: html.raw("detection")
            case .nonDetection: html.raw("non-detection")
            }
            html.raw("</td><td class=\"num\">")
            html.text(Format.rounded(fields["jd"], column: "jd"))
            html.raw("</td><td>")
            html.text(Format.exact(fields["wall_time"]))
            html.raw("</td><td>")
            html.text(Format.exact(fields["filter"]))
            html.raw("</td><td class=\"num\">")
            if entry.kind != .nonDetection, let mag = fields["magpsf"].double, mag.isFinite {
                html.text(Format.fixed(mag, 3))
                if let sigma = fields["sigmapsf"].double, sigma.isFinite { html.text(" ± \(Format.fixed(sigma, 3))") }
            }
            html.raw("</td><td class=\"num\">")
            html.text(Format.rounded(fields["diffmaglim"], column: "diffmaglim"))
            html.raw("</td><td>")
            html.text(Format.exact(fields["isdiffpos"], column: "isdiffpos"))
            if showCandid {
                html.raw("</td><td class=\"num\">")
                html.text(Format.exact(fields["candid"]))
            }
            html.raw("</td><td>")
            if case .alert(let id) = entry.kind { html.link("/\(id)/", "/\(id)/") }
            html.raw("</td></tr>\n")
        }
        if entries.isEmpty {
            html.raw("<tr><td colspan=\"\(showCandid ? 9 : 8)\" class=\"muted\">No points.</td></tr>\n")
        }
        html.raw("</tbody></table></div>\n")
    }
}
