import Model
import Store
import XCTest
@testable import Web

final class DetailPageTests: XCTestCase {
    func testCutoutsSideBySideInOrder() {
        let page = Pages.detail(PageFixtures.detailInput())
        let cutouts = page.section(from: "<div class=\"cutouts\">", to: "</div>")
        XCTAssertEqual(cutouts.attributeValues("src", inTagsStartingWith: "<img"),
                       ["/7/cutout/Science/?format=png", "/7/cutout/Template/?format=png", "/7/cutout/Difference/?format=png"])
        XCTAssertEqual(cutouts.attributeValues("alt", inTagsStartingWith: "<img"), ["Science", "Template", "Difference"])
        XCTAssertTrue(cutouts.contains("<a href=\"/7/cutout/Difference/\" title=\"d.fits.gz\">FITS</a>"))
        for link in ["/7/?format=json", "/7/photometry/?format=json", "/7/avro/"] {
            XCTAssertTrue(page.contains("href=\"\(link)\""), link)
        }
    }

    func testLightCurveHasAPointPerEntryAndBrightAtTheTop() {
        let page = Pages.detail(PageFixtures.detailInput())
        let svg = page.section(from: "<svg", to: "</svg>")
        XCTAssertFalse(svg.isEmpty)
        let plot = svg.section(from: "<svg", to: "<g class=\"legend\"")
        XCTAssertEqual(plot.occurrences(of: "<circle class=\"det "), 3)
        XCTAssertEqual(plot.occurrences(of: "<path class=\"nondet "), 2)
        XCTAssertEqual(plot.occurrences(of: "<circle class=\"current\""), 1)
        XCTAssertEqual(plot.occurrences(of: "<circle class=\"det i neg\""), 1, "negative subtraction drawn open")
        // Detections are drawn in order: g 19.0, i 18.8, r 17.0. Brighter means higher, a smaller y.
        let ys = plot.attributeValues("cy", inTagsStartingWith: "<circle class=\"det").compactMap(Double.init)
        XCTAssertEqual(ys.count, 3)
        XCTAssertLessThan(ys[2], ys[1])
        XCTAssertLessThan(ys[1], ys[0])
        // The limits sit at diffmaglim, fainter (lower) than every detection: the triangle's tip is below.
        XCTAssertTrue(plot.contains("<text x=\"" ) && plot.contains("magnitude (brighter up)"))
        XCTAssertTrue(svg.contains("fill=\"#ffffff\""), "open circle for the negative subtraction")
    }

    func testHistoryAndFields() {
        let page = Pages.detail(PageFixtures.detailInput())
        let history = page.section(from: "<table class=\"history\">", to: "</table>")
        XCTAssertEqual(history.section(from: "<tbody>", to: "</tbody>").occurrences(of: "<tr>"), 2)
        XCTAssertTrue(history.contains("non-detection"))
        XCTAssertTrue(history.contains("<a href=\"/3/\">/3/</a>"))
        XCTAssertTrue(history.contains("19.000 ± 0.051"))
        let fields = page.section(from: "<table class=\"fields\">", to: "</table>")
        XCTAssertEqual(fields.section(from: "<tbody>", to: "</tbody>").occurrences(of: "<tr>"),
                       PageFixtures.alert(id: 7).candidate.entries.count)
        XCTAssertTrue(fields.contains("<td class=\"mono\">rb</td><td class=\"mono wrap\">0.876543</td>"))
    }

    func testPhotometryPage() {
        let input = PageFixtures.detailInput()
        let page = Pages.photometry(alert: input.alert, photometry: input.photometry)
        XCTAssertEqual(page.section(from: "<table class=\"photometry\">", to: "</table>").occurrences(of: "<tr>"), 6)
        XCTAssertEqual(page.occurrences(of: "<path class=\"nondet "), 2)
    }

    func testEmptyLightCurveAndNoCutouts() {
        var input = PageFixtures.detailInput()
        input.photometry = []
        input.cutouts = []
        let page = Pages.detail(input)
        XCTAssertFalse(page.contains("<svg"))
        XCTAssertTrue(page.contains("No photometry to plot."))
        XCTAssertTrue(page.contains("No cutouts are stored"))
    }
}

final class LightCurveTests: XCTestCase {
    func testTicksAreRoundNumbersInsideTheRange() {
        let (ticks, decimals) = LightCurve.ticks(-29.3, 0.8, count: 8)
        XCTAssertEqual(ticks, [-25, -20, -15, -10, -5, 0])
        XCTAssertEqual(decimals, 0)
        let (fine, fineDecimals) = LightCurve.ticks(17.05, 17.62, count: 7)
        XCTAssertEqual(fine.map { Format.fixed($0, fineDecimals) }, ["17.1", "17.2", "17.3", "17.4", "17.5", "17.6"])
        XCTAssertEqual(LightCurve.ticks(5, 5, count: 7).0, [5])
    }

    func testOnePointAndOddValuesStillDraw() {
        let single = [PhotometryPoint(jd: 2_458_000.5, filter: "g", magpsf: 18, sigmapsf: nil, diffmaglim: nil, isdiffpos: "t")]
        var html = HTMLWriter()
        LightCurve(points: single, highlightJD: 2_458_000.5, highlightFilter: "g").write(into: &html)
        XCTAssertEqual(html.output.occurrences(of: "<circle class=\"det g pos\""), 1)
        XCTAssertEqual(html.output.occurrences(of: "<circle class=\"current\""), 1)
        // Points with nothing to plot (no magnitude, no limit, NaN) are left out, not drawn at NaN.
        let odd = single + [
            PhotometryPoint(jd: 2_458_001.5, filter: "r", magpsf: nil, sigmapsf: nil, diffmaglim: nil, isdiffpos: nil),
            PhotometryPoint(jd: .nan, filter: "r", magpsf: 18, sigmapsf: 0.1, diffmaglim: 20, isdiffpos: "t"),
        ]
        html = HTMLWriter()
        LightCurve(points: odd, highlightJD: nil, highlightFilter: nil).write(into: &html)
        XCTAssertFalse(html.output.contains("NaN"))
        XCTAssertEqual(html.output.occurrences(of: "<circle class=\"det "), 1)
    }
}
