import Model
import Store

extension Pages {
    /// An object's light curve for one alert: the plot and the points as a table.
    public static func photometry(alert: AlertRecord, photometry: [PhotometryPoint]) -> String {
        document(title: "Photometry of \(alert.objectId)", capacity: 24_000 + photometry.count * 500) { html in
            html.raw("<h1>Photometry of ")
            html.link("/\(alert.id)/", alert.objectId)
            html.raw("</h1>\n<p class=\"links\">")
            html.link("/\(alert.id)/", "alert \(alert.id)")
            html.link("/\(alert.id)/photometry/?format=json", "JSON")
            html.raw("</p>\n<div class=\"lightcurve\">")
            LightCurve(points: photometry, highlightJD: alert.candidate["jd"].double,
                       highlightFilter: alert.candidate["filter"].string).write(into: &html)
            html.raw("</div>\n<div class=\"scroll\"><table class=\"photometry\"><thead><tr><th class=\"num\">jd</th><th>filter</th><th class=\"num\">magpsf</th><th class=\"num\">sigmapsf</th><th class=\"num\">diffmaglim</th><th>isdiffpos</th></tr></thead><tbody>\n")
            for point in photometry {
                html.raw("<tr><td class=\"num\">")
                html.text(Format.fixed(point.jd, 5))
                html.raw("</td><td>")
                html.text(point.filter)
                html.raw("</td><td class=\"num\">")
                html.text(point.magpsf.map { Format.fixed($0, 3) } ?? "")
                html.raw("</td><td class=\"num\">")
                html.text(point.sigmapsf.map { Format.fixed($0, 3) } ?? "")
                html.raw("</td><td class=\"num\">")
                html.text(point.diffmaglim.map { Format.fixed($0, 3) } ?? "")
                html.raw("</td><td>")
                html.text(point.isdiffpos ?? "")
                html.raw("</td></tr>\n")
            }
            if photometry.isEmpty { html.raw("<tr><td colspan=\"6\" class=\"muted\">No photometry.</td></tr>\n") }
            html.raw("</tbody></table></div>\n")
        }
    }
}
