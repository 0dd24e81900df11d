import Model
import Store

/// What the detail page (`GET /<id>/`) shows.
public struct DetailPageInput: Sendable {
    /// The alert the page is about.
    public var alert: AlertRecord
    /// The object's other alerts, history detections and non-detections, by jd.
    public var history: [HistoryEntry]
    /// The whole light curve, this alert included.
    public var photometry: [PhotometryPoint]
    /// The stored stamps (Science, Template, Difference), without their bytes.
    public var cutouts: [CutoutInfo]
    /// When the stamps were retired by `alertdb retention`: the days they were kept.
    public var cutoutsRetiredAfterDays: Int?
    /// The newest stored alert, for the header.
    public var latest: LatestAlert?

    /// Collects what the detail page shows.
    public init(alert: AlertRecord, history: [HistoryEntry], photometry: [PhotometryPoint],
                cutouts: [CutoutInfo], cutoutsRetiredAfterDays: Int? = nil, latest: LatestAlert?) {
        (self.alert, self.history, self.photometry, self.cutouts, self.latest) = (alert, history, photometry, cutouts, latest)
        self.cutoutsRetiredAfterDays = cutoutsRetiredAfterDays
    }
}

extension Pages {
    /// The summary at the top of the detail page: label, candidate field.
    static let detailFacts: [(label: String, field: String)] = [
        ("jd", "jd"), ("filter", "filter"), ("magpsf", "magpsf"), ("sigmapsf", "sigmapsf"), ("magap", "magap"),
        ("diffmaglim", "diffmaglim"), ("isdiffpos", "isdiffpos"), ("rb", "rb"), ("drb", "drb"),
        ("distnr", "distnr"), ("magnr", "magnr"), ("Δmaglatest", "deltamaglatest"), ("Δmagref", "deltamagref"),
        ("l", "l"), ("b", "b"), ("programid", "programid"), ("ndethist", "ndethist"),
        ("ssnamenr", "ssnamenr"), ("ssdistnr", "ssdistnr"),
    ]

    /// The order cutouts are shown in, whatever order they are stored in.
    static let cutoutOrder = ["Science", "Template", "Difference"]

    /// One alert: summary, cutouts, light curve, history, every candidate field, and links to
    /// the same data as JSON, FITS and Avro.
    public static func detail(_ input: DetailPageInput) -> String {
        let alert = input.alert
        let candidate = alert.candidate
        return document(title: "\(alert.objectId) \(alert.candid)", latest: input.latest,
                        capacity: 48_000 + input.photometry.count * 400 + input.history.count * 300) { html in
            html.raw("<h1>")
            html.link("/?objectId=" + Links.escape(alert.objectId), alert.objectId)
            html.raw(" <span class=\"muted\">alert \(alert.id) · candid \(alert.candid)</span></h1>\n")

            html.raw("<dl class=\"facts\"><div><dt>objectId</dt><dd>")
            html.link("/?objectId=" + Links.escape(alert.objectId), alert.objectId)
            html.raw("</dd></div>")
            writeFact("candid", String(alert.candid), into: &html)
            writeFact("time (UTC)", Format.exact(candidate["wall_time"]), into: &html)
            writeFact("ra, dec", "\(Format.rounded(candidate["ra"], column: "ra")), \(Format.rounded(candidate["dec"], column: "dec"))", into: &html)
            if let ra = candidate["ra"].double, let dec = candidate["dec"].double {
                writeFact("hms, dms", "\(Format.sexagesimalRA(ra)) \(Format.sexagesimalDec(dec))", into: &html)
            }
            for fact in detailFacts where candidate[fact.field] != .null {
                writeFact(fact.label, Format.rounded(candidate[fact.field], column: fact.field), into: &html)
            }
            if let publisher = alert.publisher { writeFact("publisher", publisher, into: &html) }
            html.raw("</dl>\n")

            writeDetailLinks(alert, cutouts: input.cutouts, into: &html)
            writeCutouts(alert, input.cutouts, retiredAfterDays: input.cutoutsRetiredAfterDays, into: &html)

            html.raw("<h2>Light curve</h2>\n<div class=\"lightcurve\">")
            LightCurve(points: input.photometry, highlightJD: candidate["jd"].double,
                       highlightFilter: candidate["filter"].string).write(into: &html)
            html.raw("</div>\n<p class=\"muted\">Filled circles: positive subtractions; open: negative; triangles: 5σ upper limits of non-detections. ")
            html.link("/\(alert.id)/photometry/", "Photometry table")
            html.raw("</p>\n")

            writeHistory(input.history, into: &html)

            html.raw("<h2>Candidate fields</h2>\n<div class=\"scroll\"><table class=\"fields\"><thead><tr><th>field</th><th>value</th></tr></thead><tbody>\n")
            for entry in candidate.entries {
                html.raw("<tr><td class=\"mono\">")
                html.text(entry.name)
                html.raw("</td><td class=\"mono wrap\">")
                html.text(Format.exact(entry.value, column: entry.name))
                html.raw("</td></tr>\n")
            }
            html.raw("</tbody></table></div>\n")
        }
    }

    private static func orderedCutouts(_ cutouts: [CutoutInfo]) -> [CutoutInfo] {
        cutouts.sorted { (cutoutOrder.firstIndex(of: $0.kind) ?? 99) < (cutoutOrder.firstIndex(of: $1.kind) ?? 99) }
    }

    private static func formatLabel(_ cutout: CutoutInfo) -> String {
        cutout.format.rawValue.uppercased()
    }

    private static func writeDetailLinks(_ alert: AlertRecord, cutouts: [CutoutInfo], into html: inout HTMLWriter) {
        html.raw("<p class=\"links\">")
        html.link("/\(alert.id)/?format=json", "JSON")
        html.link("/\(alert.id)/photometry/?format=json", "photometry JSON")
        html.link("/\(alert.id)/avro/", "Avro packet")
        for cutout in orderedCutouts(cutouts) {
            html.link("/\(alert.id)/cutout/\(Links.escape(cutout.kind))/", "\(cutout.kind) \(formatLabel(cutout))")
        }
        html.raw("</p>\n")
    }

    private static func writeCutouts(_ alert: AlertRecord, _ cutouts: [CutoutInfo], retiredAfterDays: Int?,
                                     into html: inout HTMLWriter) {
        html.raw("<h2>Cutouts</h2>\n")
        if cutouts.isEmpty, let days = retiredAfterDays {
            html.raw("<p class=\"muted retired\">")
            html.text("The cutouts of this alert were retired after \(days) days, as this archive keeps cutouts no longer.")
            html.raw("</p>\n")
            return
        }
        guard !cutouts.isEmpty else {
            html.raw("<p class=\"muted\">No cutouts are stored for this alert.</p>\n")
            return
        }
        html.raw("<div class=\"cutouts\">")
        for cutout in orderedCutouts(cutouts) {
            let path = "/\(alert.id)/cutout/\(Links.escape(cutout.kind))/"
            html.raw("<figure><img")
            html.attribute("src", path + "?format=png")
            html.attribute("alt", cutout.kind)
            html.raw(" width=\"200\" height=\"200\"><figcaption>")
            html.text(cutout.kind)
            html.raw(" · ")
            html.raw("<a")
            html.attribute("href", path)
            if let fileName = cutout.fileName { html.attribute("title", fileName) }
            html.raw(">")
            html.text(formatLabel(cutout))
            html.raw("</a></figcaption></figure>")
        }
        html.raw("</div>\n")
    }

    private static func writeHistory(_ history: [HistoryEntry], into html: inout HTMLWriter) {
        html.raw("<h2>History</h2>\n")
        guard !history.isEmpty else {
            html.raw("<p class=\"muted\">No other alerts, detections or non-detections of this object are stored.</p>\n")
            return
        }
        HistoryTable.write(history, cssClass: "history", showCandid: false, into: &html)
    }
}
