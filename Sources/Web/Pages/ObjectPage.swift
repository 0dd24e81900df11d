import Model
import Store

extension Pages {
    /// One object: its figures, its light curve drawn and every point of it as a table, each
    /// alert linking to its page.
    public static func object(_ detail: ObjectDetail, latest: LatestAlert?) -> String {
        let object = detail.object
        let figures = object.figures
        return document(title: object.objectId, latest: latest, capacity: 32_000 + detail.lightCurve.count * 400) { html in
            html.raw("<h1>")
            html.text(object.objectId)
            html.raw(" <span class=\"muted\">")
            let (alerts, detections) = (Format.exact(figures["nalerts"]), Format.exact(figures["ndet"]))
            html.text("\(alerts) alert\(alerts == "1" ? "" : "s") · \(detections) detection\(detections == "1" ? "" : "s")")
            html.raw("</span></h1>\n<dl class=\"facts\">")
            if let ra = figures["ra"].double, let dec = figures["dec"].double {
                writeFact("ra, dec (mean)", "\(Format.rounded(figures["ra"], column: "ra")), \(Format.rounded(figures["dec"], column: "dec"))", into: &html)
                writeFact("hms, dms", "\(Format.sexagesimalRA(ra)) \(Format.sexagesimalDec(dec))", into: &html)
            }
            writeFact("first detection", when(figures["firstjd"]), into: &html)
            writeFact("last detection", when(figures["lastjd"]), into: &html)
            for filter in ZTFFilter.names where figures["brightest_\(filter)"] != .null {
                writeFact("brightest \(filter)", Format.rounded(figures["brightest_\(filter)"], column: "magpsf"), into: &html)
                writeFact("latest \(filter)", "\(Format.rounded(figures["lastmag_\(filter)"], column: "magpsf")) at \(when(figures["lastjd_\(filter)"]))",
                          into: &html)
            }
            html.raw("</dl>\n<p class=\"links\">")
            html.link("/objects/\(Links.escape(object.objectId))/?format=json", "JSON")
            html.link("/?objectId=" + Links.escape(object.objectId), "its alerts in the listing")
            if let id = object.latestID { html.link("/\(id)/", "latest alert") }
            html.link("/objects/", "all objects")
            html.raw("</p>\n")

            html.raw("<h2>Light curve</h2>\n<div class=\"lightcurve\">")
            LightCurve(points: detail.photometry, highlightJD: nil, highlightFilter: nil).write(into: &html)
            html.raw("</div>\n<p class=\"muted\">Every stored alert, detection and non-detection of the object, each once. Filled circles: positive subtractions; open: negative; triangles: 5σ upper limits of non-detections.</p>\n")
            html.raw("<h2>Points</h2>\n")
            HistoryTable.write(detail.lightCurve, cssClass: "lightcurve-points", showCandid: true, into: &html)
        }
    }

    /// "2018-11-22T18:22:42.000Z (JD 2458445.26577)", or nothing for a missing date.
    private static func when(_ jd: FieldValue) -> String {
        guard let value = jd.double, value.isFinite else { return "" }
        return "\(JulianDate.isoTime(value)) (JD \(Format.fixed(value, 5)))"
    }

    /// The body of a redirect, for a browser that does not follow it by itself.
    static func moved(to location: String) -> String {
        document(title: "Moved") { html in
            html.raw("<h1>Moved permanently</h1>\n<p>This object's page is ")
            html.link(location, location)
            html.raw(".</p>\n")
        }
    }
}
