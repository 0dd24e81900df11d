import Model
import Store
import XCTest
@testable import Web

final class ObjectPageTests: XCTestCase {
    static func object(_ name: String = "ZTF18abcdefg") -> ObjectRecord {
        var figures = Fields()
        for (column, value) in [("nalerts", FieldValue.integer(2)), ("ndet", .integer(3)), ("firstjd", .real(2_458_265.5)),
                                ("lastjd", .real(2_458_271.5)), ("ra", .real(150.123456789)), ("dec", .real(-2.25)),
                                ("brightest_g", .real(19.0)), ("lastmag_g", .real(19.0)), ("lastjd_g", .real(2_458_265.5)),
                                ("brightest_r", .real(17.0)), ("lastmag_r", .real(17.0)), ("lastjd_r", .real(2_458_271.5)),
                                ("brightest_i", .null), ("lastmag_i", .null), ("lastjd_i", .null), ("latest_id", .integer(7))] {
            figures.append(column, value)
        }
        return ObjectRecord(objectId: name, figures: figures)
    }

    static func detail(_ name: String = "ZTF18abcdefg") -> ObjectDetail {
        let input = PageFixtures.detailInput(objectId: name)
        return ObjectDetail(object: object(name),
                            lightCurve: input.history + [HistoryEntry(kind: .alert(id: 7), candidate: input.alert.candidate)])
    }

    func testTheObjectPageDrawsEveryPointAndLinksTheAlerts() {
        let page = Pages.object(Self.detail(), latest: PageFixtures.latest)
        let svg = page.section(from: "<svg", to: "<g class=\"legend\"")
        XCTAssertEqual(svg.occurrences(of: "<circle class=\"det "), 2)
        XCTAssertEqual(svg.occurrences(of: "<path class=\"nondet "), 1)
        XCTAssertEqual(svg.occurrences(of: "class=\"current\""), 0, "no alert of an object's page is singled out")
        let points = page.section(from: "<table class=\"lightcurve-points\">", to: "</table>")
        XCTAssertEqual(points.section(from: "<tbody>", to: "</tbody>").occurrences(of: "<tr>"), 3)
        XCTAssertTrue(points.contains("<a href=\"/3/\">/3/</a>") && points.contains("<a href=\"/7/\">/7/</a>"))
        XCTAssertTrue(points.contains("non-detection"))
        XCTAssertTrue(page.contains("href=\"/objects/ZTF18abcdefg/?format=json\""))
        XCTAssertTrue(page.contains("<dt>brightest r</dt><dd>17.000</dd>"))
        XCTAssertFalse(page.contains("brightest i"), "no figure for a filter without detections")
    }

    func testNamesAreEscaped() {
        let page = Pages.object(Self.detail(PageFixtures.hostile), latest: nil)
        XCTAssertFalse(page.contains("<script>alert(1)</script>"))
        let listing = Pages.objectListing(ObjectListingPageInput(parameters: [("ndet__gte", PageFixtures.hostile)], objects: [Self.object(PageFixtures.hostile)],
                                                                 count: 1, countIsEstimate: false, page: 1, previousURL: nil, nextURL: nil,
                                                                 error: nil, jsonURL: "/objects/?format=json"))
        XCTAssertFalse(listing.contains("<script>alert(1)</script>"))
    }

    func testTheListingShowsAFormTheTableAndTheError() {
        let input = ObjectListingPageInput(parameters: [("ndet__gte", "2"), ("dec__lt", "10")], objects: [Self.object()], count: 12_345,
                                           countIsEstimate: true, page: nil, previousURL: nil, nextURL: "/objects/?cursor=x",
                                           error: nil, jsonURL: "/objects/?ndet__gte=2&format=json")
        let page = Pages.objectListing(input)
        XCTAssertTrue(page.contains("about 12,000 objects"))
        XCTAssertTrue(page.contains("<a href=\"/objects/ZTF18abcdefg/\">ZTF18abcdefg</a>"))
        XCTAssertTrue(page.contains("name=\"ndet__gte\" value=\"2\""))
        XCTAssertTrue(page.contains("name=\"dec__lt\" value=\"10\""), "a filter outside the form keeps a field")
        XCTAssertTrue(page.contains("<a class=\"next\" href=\"/objects/?cursor=x\">"))
        XCTAssertEqual(Pages.objectCount(1, isEstimate: false), "1 object")
        var refused = input
        refused.error = ("ndet__gte must be a decimal number, not 'x'", "ndet__gte")
        let error = Pages.objectListing(refused)
        XCTAssertTrue(error.contains("<label class=\"invalid\""))
        XCTAssertFalse(error.contains("<table class=\"objects\">"))
    }
}

final class ObjectHelpTests: XCTestCase {
    func testHelpExplainsEveryFigureAndTheRoutes() {
        let page = Pages.help(catalogue: PageFixtures.catalogue, sortValues: ["jd"], candidateFields: ["jd"])
        let section = page.section(from: "<h2 id=\"objects\">", to: "</pre>")
        for column in ObjectCatalogue.columns { XCTAssertTrue(section.contains("<td class=\"mono\">\(column.name)</td>"), column.name) }
        for value in ObjectCatalogue.sortValues { XCTAssertTrue(section.contains("<code>\(value)</code>"), value) }
        for path in ["/objects/", "/objects/&lt;objectId&gt;/", "/&lt;objectId&gt;/"] {
            XCTAssertTrue(page.contains("<td class=\"mono\">\(path)</td>"), path)
        }
        XCTAssertTrue(page.contains("<a href=\"#objects\">Objects</a>"))
    }
}
