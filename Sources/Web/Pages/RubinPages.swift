import JSON
import Model

/// The HTML pages under `/rubin/`, drawn from the same JSON the API answers with (written by
/// PostgreSQL from the stored rows), so the page and the JSON cannot disagree.
extension Pages {
    /// The listing's form fields: Rubin's own column names.
    static let rubinFilterFields: [(name: String, label: String)] = [
        ("band", "band (u g r i z y)"), ("reliability__gte", "reliability ≥"), ("snr__gte", "snr ≥"),
        ("psfFlux__gte", "psfFlux ≥ (nJy)"), ("midpointMjdTai__gt", "midpointMjdTai > (MJD TAI)"),
        ("cone", "cone: ra,dec,radius (deg)"), ("diaObjectId", "diaObjectId"),
        ("sort_value", "sort by (default midpointMjdTai)"), ("sort_order", "order: desc (default) or asc"),
    ]

    /// The columns of the listing's table, in Rubin's names.
    static let rubinListingColumns = ["midpointMjdTai", "band", "ra", "dec", "psfFlux", "psfFluxErr", "mag", "snr", "reliability", "diaObjectId"]

    /// The objects listing's form fields and columns.
    static let rubinObjectFilterFields: [(name: String, label: String)] = [
        ("cone", "cone: ra,dec,radius (deg)"), ("nDiaSources__gte", "nDiaSources ≥"),
        ("lastDiaSourceMjdTai__gt", "lastDiaSourceMjdTai > (MJD TAI)"),
        ("sort_value", "sort by (default diaObjectId)"), ("sort_order", "order: desc (default) or asc"),
    ]
    static let rubinObjectColumns = ["ra", "dec", "nDiaSources", "firstDiaSourceMjdTai", "lastDiaSourceMjdTai", "latestDiaSourceId"]

    /// The sources listing (`objects` false) or the objects listing.
    static func rubinListing(objects: Bool = false, parameters: [(name: String, value: String)], rows: [JSONValue], count: Int,
                             capped: Bool, nextURL: String?, jsonURL: String,
                             error: (message: String, parameter: String?)? = nil) -> String {
        let (key, path, columns) = objects ? ("diaObjectId", "/rubin/objects/", rubinObjectColumns)
                                           : ("diaSourceId", "/rubin/", rubinListingColumns)
        return document(title: objects ? "Rubin objects" : "Rubin alerts") { html in
            html.raw(objects ? "<h1>Rubin objects</h1>" : "<h1>Rubin alerts</h1>")
            html.raw("<p class=\"muted\">Vera C. Rubin Observatory's alerts (LSST), beside ")
            html.link("/", "ZTF's")
            html.raw(". Fluxes in nJy of the difference image; mag = 31.4 − 2.5 log<sub>10</sub>(psfFlux), none when the flux is not positive.</p>")
            writeRubinForm(parameters: parameters, fields: objects ? rubinObjectFilterFields : rubinFilterFields, action: path,
                           error: error, into: &html)
            html.raw("<div class=\"summary\"><span class=\"count\">")
            html.text(Format.alertCount(count, isEstimate: capped))
            html.raw("</span>")
            html.link(jsonURL, "JSON")
            // The same page as tables: the JSON link's query with another format.
            if jsonURL.hasSuffix("format=json") {
                html.raw(" ")
                html.link(String(jsonURL.dropLast("json".count)) + "csv", "CSV")
                html.raw(" ")
                html.link(String(jsonURL.dropLast("json".count)) + "votable", "VOTable")
            }
            html.raw("</div><div class=\"scroll\"><table><thead><tr>")
            html.element("th", key)
            html.raw(objects ? "" : "<th>time (UTC)</th>")
            for column in columns { html.element("th", column) }
            html.raw("</tr></thead><tbody>")
            for row in rows {
                let fields = row.membersByKey
                let id = fields[key]?.scalarText ?? ""
                html.raw("<tr><td>")
                html.link("\(path)\(id)/", id)
                html.raw("</td>")
                if !objects {
                    html.raw("<td>")
                    html.text(rubinTime(fields["midpointMjdTai"]))
                    html.raw("</td>")
                }
                for column in columns {
                    html.raw("<td class=\"num\">")
                    if column == "diaObjectId", let object = fields[column]?.scalarText {
                        html.link("/rubin/objects/\(object)/", object)
                    } else if column == "latestDiaSourceId", let source = fields[column]?.scalarText {
                        html.link("/rubin/\(source)/", source)
                    } else {
                        html.text(fields[column]?.scalarText ?? "")
                    }
                    html.raw("</td>")
                }
                html.raw("</tr>")
            }
            html.raw("</tbody></table></div><div class=\"pager\">")
            if let nextURL { html.link(nextURL, "Next page →") } else { html.raw("<span class=\"disabled\">Next page →</span>") }
            html.raw("</div>")
        }
    }

    static func writeRubinForm(parameters: [(name: String, value: String)], fields: [(name: String, label: String)], action: String,
                               error: (message: String, parameter: String?)?, into html: inout HTMLWriter) {
        if let error {
            html.raw("<div class=\"error\" id=\"error\" role=\"alert\">")
            html.text(error.message)
            html.raw("</div>")
        }
        let given = Dictionary(parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        html.raw("<form class=\"filters\" method=\"get\"")
        html.attribute("action", action)
        html.raw("><div class=\"grid\">")
        for field in fields {
            html.raw(error?.parameter == field.name ? "<label class=\"invalid\">" : "<label>")
            html.text(field.label)
            html.raw("<input")
            html.attribute("name", field.name)
            html.attribute("value", given[field.name] ?? "")
            html.raw("></label>")
        }
        html.raw("</div><div class=\"expression\"><label>where: an expression over the columns, e.g. psfFlux &gt; 5000 AND band = 'i'<textarea name=\"where\" rows=\"2\">")
        html.text(given["where"] ?? "")
        html.raw("</textarea></label></div><div class=\"actions\"><button type=\"submit\">Search</button></div></form>")
    }

    /// A source: its fields, stamps, and the history and forced photometry its packet carried.
    static func rubinSource(_ body: JSONValue, id: Int64) -> String {
        let parts = body.membersByKey
        return document(title: "Rubin alert \(id)") { html in
            html.raw("<h1>Rubin alert ")
            html.text(String(id))
            html.raw("</h1><div class=\"links\">")
            html.link("/rubin/\(id)/?format=json", "JSON")
            let alert = parts["alert"]?.membersByKey ?? [:]
            if let object = alert["diaObjectId"]?.scalarText { html.link("/rubin/objects/\(object)/", "Object \(object) and its light curve") }
            html.raw("</div><h2>Cutouts</h2><div class=\"cutouts\">")
            for kind in parts["cutouts"]?.elements.compactMap(\.scalarText) ?? [] {
                html.raw("<figure><img alt=\"\"")
                html.attribute("src", "/rubin/\(id)/cutout/\(kind)/?format=png")
                html.raw("><figcaption>")
                html.link("/rubin/\(id)/cutout/\(kind)/", "\(kind) (FITS)")
                html.raw("</figcaption></figure>")
            }
            html.raw("</div><h2>Fields</h2><dl class=\"facts\">")
            writeFact("time (UTC)", rubinTime(alert["midpointMjdTai"]), into: &html)
            for (name, value) in alert.sorted(by: { $0.key < $1.key }) where value.kind != .object && value.kind != .array {
                writeFact(name, value.scalarText ?? "", into: &html)
            }
            html.raw("</dl>")
            writeRubinTable("History (prvDiaSources)", parts["prvDiaSources"]?.elements ?? [],
                            columns: ["diaSourceId", "midpointMjdTai", "band", "psfFlux", "psfFluxErr", "mag", "snr"], into: &html)
            writeRubinTable("Forced photometry (prvDiaForcedSources)", parts["prvDiaForcedSources"]?.elements ?? [],
                            columns: ["diaForcedSourceId", "visit", "midpointMjdTai", "band", "psfFlux", "psfFluxErr", "mag"], into: &html)
        }
    }

    /// An object: its latest state and its light curve per band, forced photometry apart.
    static func rubinObject(_ body: JSONValue, id: Int64) -> String {
        let parts = body.membersByKey
        return document(title: "Rubin object \(id)") { html in
            html.raw("<h1>Rubin object ")
            html.text(String(id))
            html.raw("</h1><div class=\"links\">")
            html.link("/rubin/objects/\(id)/?format=json", "JSON")
            html.link("/rubin/?diaObjectId=\(id)", "Its alerts")
            html.raw("</div>")
            let curve = parts["lightcurve"]?.members ?? []
            let order = ["u", "g", "r", "i", "z", "y"]
            for (band, points) in curve.sorted(by: { (order.firstIndex(of: $0.key) ?? 9, $0.key) < (order.firstIndex(of: $1.key) ?? 9, $1.key) }) {
                let sets = points.membersByKey
                writeRubinTable("Band \(band): detections", sets["detections"]?.elements ?? [],
                                columns: ["kind", "diaSourceId", "midpointMjdTai", "psfFlux", "psfFluxErr", "mag"], into: &html)
                writeRubinTable("Band \(band): forced photometry", sets["forced"]?.elements ?? [],
                                columns: ["diaForcedSourceId", "visit", "midpointMjdTai", "psfFlux", "psfFluxErr", "mag"], into: &html)
            }
            html.raw("<h2>Latest state (diaObject)</h2><dl class=\"facts\">")
            for (name, value) in parts["diaObject"]?.members.sorted(by: { $0.key < $1.key }) ?? [] where value.kind != .object {
                writeFact(name, value.scalarText ?? "", into: &html)
            }
            html.raw("</dl>")
        }
    }

    private static func writeRubinTable(_ title: String, _ rows: [JSONValue], columns: [String], into html: inout HTMLWriter) {
        html.element("h2", title)
        guard !rows.isEmpty else { return html.raw("<p class=\"muted\">none</p>") }
        html.raw("<div class=\"scroll\"><table><thead><tr>")
        for column in columns { html.element("th", column) }
        html.raw("<th>time (UTC)</th></tr></thead><tbody>")
        for row in rows {
            let fields = row.membersByKey
            html.raw("<tr>")
            for column in columns {
                html.raw("<td class=\"num\">")
                if column == "diaSourceId", let id = fields[column]?.scalarText {
                    html.link("/rubin/\(id)/", id)
                } else {
                    html.text(fields[column]?.scalarText ?? "")
                }
                html.raw("</td>")
            }
            html.raw("<td>")
            html.text(rubinTime(fields["midpointMjdTai"]))
            html.raw("</td></tr>")
        }
        html.raw("</tbody></table></div>")
    }

    /// An MJD TAI as UTC, or nothing.
    static func rubinTime(_ value: JSONValue?) -> String {
        guard let text = value?.scalarText, let mjd = Double(text), mjd.isFinite else { return "" }
        return RubinTime.isoTime(mjdTai: mjd)
    }
}
