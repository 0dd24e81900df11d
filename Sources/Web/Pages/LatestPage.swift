import Foundation
import Model
import Store

extension Pages {
    /// The newest stored alert, or a note that none is stored yet.
    public static func latest(_ latest: LatestAlert?) -> String {
        document(title: "Latest alert", latest: nil) { html in
            html.raw("<h1>Latest alert</h1>\n")
            guard let latest else {
                html.raw("<p>No alert is stored yet.</p>\n")
                return
            }
            html.raw("<p>")
            writeLatestLine(latest, into: &html, className: "latest")
            html.raw("</p>\n<dl class=\"facts\"><div><dt>id</dt><dd>")
            html.link("/\(latest.id)/", String(latest.id))
            html.raw("</dd></div>")
            writeFact("candid", String(latest.candid), into: &html)
            writeFact("jd", Format.fixed(latest.jd, 5), into: &html)
            writeFact("time (UTC)", latest.wallTime, into: &html)
            writeFact("age", Format.age(seconds: latest.ageSeconds), into: &html)
            if let storedAt = latest.storedAt, let storedAge = latest.storedAgeSeconds(now: Date().timeIntervalSince1970) {
                writeFact("last stored (UTC)", JulianDate.isoTime(JulianDate.from(unixSeconds: storedAt)), into: &html)
                writeFact("last stored, age", Format.age(seconds: storedAge), into: &html)
            }
            html.raw("</dl>\n<p class=\"links\"><a href=\"/latest/?format=json\">JSON</a><a href=\"/\">all alerts</a></p>\n")
        }
    }
}
