import Model
import Store
@testable import Web

/// Alerts, history and photometry made up for the renderers, which are pure functions of them.
enum PageFixtures {
    static let hostile = "<script>alert(1)</script>\"'&"

    static let catalogue = FilterCatalogue(numericColumns: ["jd", "ra", "dec", "magpsf", "sigmapsf", "rb", "drb", "fwhm"])

    static func alert(id: Int64, objectId: String = "ZTF18abcdefg", jd: Double = 2_458_271.5,
                      magpsf: Double = 18.5, filter: String = "r") -> AlertRecord {
        let fid: Int64 = filter == "g" ? 1 : filter == "r" ? 2 : 3
        var fields = Fields()
        fields.append("candid", .integer(600_000_000_000 + id))
        fields.append("jd", .real(jd))
        fields.append("fid", .integer(fid))
        fields.append("diffmaglim", .real(20.5))
        fields.append("isdiffpos", .text("t"))
        fields.append("ra", .real(150.123456789))
        fields.append("dec", .real(-2.25))
        fields.append("magpsf", .real(magpsf))
        fields.append("sigmapsf", .real(0.0512))
        fields.append("magap", .real(18.61234))
        fields.append("distnr", .real(0.4))
        fields.append("rb", .real(0.876543))
        fields.append("ssnamenr", .text(hostile))
        fields.append("drb", .null)
        fields.append("wall_time", .text("2018-06-01T00:00:00.000Z"))
        fields.append("filter", .text(filter))
        fields.append("l", .real(240.1))
        fields.append("b", .real(40.2))
        fields.append("deltamaglatest", .real(-0.25))
        fields.append("deltamagref", .null)
        return AlertRecord(id: id, objectId: objectId, publisher: "ZTF (www.ztf.caltech.edu)",
                           candid: 600_000_000_000 + id, candidate: fields)
    }

    static let latest = LatestAlert(id: 7, candid: 600_000_000_007, jd: 2_458_271.5,
                                    wallTime: "2018-06-01T00:00:00.000Z", ageSeconds: 3 * 86_400 + 5)

    static func listingInput(alerts: [AlertRecord], parameters: [(String, String)] = [],
                             error: (message: String, parameter: String?)? = nil) -> ListingPageInput {
        ListingPageInput(parameters: parameters, catalogue: catalogue, sortValues: ["jd", "magpsf", "rb"],
                         rows: alerts.map(Pages.listingRow), count: alerts.count, countIsEstimate: false, page: 1,
                         previousURL: nil, nextURL: "/?rb__gte=0.5&cursor=abc", latest: latest,
                         error: error, jsonURL: "/?rb__gte=0.5&format=json")
    }

    /// A light curve with detections in g and r, one negative subtraction and two upper limits.
    static let photometry: [PhotometryPoint] = [
        PhotometryPoint(jd: 2_458_260.5, filter: "g", magpsf: nil, sigmapsf: nil, diffmaglim: 20.1, isdiffpos: nil),
        PhotometryPoint(jd: 2_458_262.5, filter: "r", magpsf: nil, sigmapsf: nil, diffmaglim: 20.4, isdiffpos: nil),
        PhotometryPoint(jd: 2_458_265.5, filter: "g", magpsf: 19.0, sigmapsf: 0.1, diffmaglim: 20.2, isdiffpos: "t"),
        PhotometryPoint(jd: 2_458_268.5, filter: "i", magpsf: 18.8, sigmapsf: 0.08, diffmaglim: 20.0, isdiffpos: "f"),
        PhotometryPoint(jd: 2_458_271.5, filter: "r", magpsf: 17.0, sigmapsf: 0.05, diffmaglim: 20.5, isdiffpos: "1"),
    ]

    static func detailInput(objectId: String = "ZTF18abcdefg") -> DetailPageInput {
        var nonDetection = Fields()
        nonDetection.append("jd", .real(2_458_260.5))
        nonDetection.append("fid", .integer(1))
        nonDetection.append("diffmaglim", .real(20.1))
        nonDetection.append("filter", .text("g"))
        nonDetection.append("wall_time", .text("2018-05-20T00:00:00.000Z"))
        let other = alert(id: 3, objectId: objectId, jd: 2_458_265.5, magpsf: 19.0, filter: "g")
        return DetailPageInput(
            alert: alert(id: 7, objectId: objectId, jd: 2_458_271.5, magpsf: 17.0),
            history: [HistoryEntry(kind: .nonDetection, candidate: nonDetection),
                      HistoryEntry(kind: .alert(id: 3), candidate: other.candidate)],
            photometry: photometry,
            cutouts: [CutoutInfo(kind: "Template", fileName: "t.fits.gz", format: .fits),
                      CutoutInfo(kind: "Science", fileName: "s.fits.gz", format: .fits),
                      CutoutInfo(kind: "Difference", fileName: "d.fits.gz", format: .fits)],
            latest: latest)
    }
}

/// Small string searches for the tests, without regexes or an HTML parser.
extension String {
    /// How many times `needle` occurs.
    func occurrences(of needle: String) -> Int {
        components(separatedBy: needle).count - 1
    }

    /// The text from the first `start` to the next `end` after it (both included), or "".
    func section(from start: String, to end: String) -> String {
        guard let lower = range(of: start), let upper = self[lower.upperBound...].range(of: end) else { return "" }
        return String(self[lower.lowerBound..<upper.upperBound])
    }

    /// Every value of `name="..."` in the tags that begin with `prefix`, in order.
    func attributeValues(_ name: String, inTagsStartingWith prefix: String) -> [String] {
        var values: [String] = []
        var rest = self[...]
        while let tag = rest.range(of: prefix) {
            let tail = rest[tag.upperBound...]
            let tagEnd = tail.firstIndex(of: ">") ?? tail.endIndex
            let inside = tail[..<tagEnd]
            if let attr = inside.range(of: " \(name)=\"") {
                let valueTail = inside[attr.upperBound...]
                values.append(String(valueTail[..<(valueTail.firstIndex(of: "\"") ?? valueTail.endIndex)]))
            }
            rest = tail[tagEnd...]
        }
        return values
    }
}
