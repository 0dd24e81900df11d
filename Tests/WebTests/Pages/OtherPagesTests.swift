import Model
import Store
import XCTest
@testable import Web

final class OtherPagesTests: XCTestCase {
    func testErrorPageShowsTheMessage() {
        let page = Pages.error(status: 400, message: "rb__gte: not a number: abc", parameter: "rb__gte")
        XCTAssertTrue(page.contains("<h1>400 Bad Request</h1>"))
        XCTAssertTrue(page.contains(">rb__gte: not a number: abc</div>"), "the message, not the parameter twice")
        XCTAssertTrue(Pages.error(status: 400, message: "not a number", parameter: "rb__gte")
            .contains("<code>rb__gte</code>: not a number</div>"))
        XCTAssertTrue(Pages.error(status: 404, message: "no alert 9", parameter: nil).contains(">no alert 9</div>"))
    }

    func testLatestPage() {
        XCTAssertTrue(Pages.latest(nil).contains("No alert is stored yet."))
        let page = Pages.latest(LatestAlert(id: 5, candid: 6, jd: 2_458_000.5, wallTime: "2017-09-04T00:00:00.000Z", ageSeconds: 90))
        XCTAssertTrue(page.contains("Latest alert: <a href=\"/5/\">2017-09-04T00:00:00.000Z</a> (1 min ago)"))
    }

    func testHelpNamesEveryFilterRouteAndField() {
        let fields = ["candid", "jd", "fid", "rb", "zpclrcov", "clrmed", "l", "wall_time"]
        let page = Pages.help(catalogue: PageFixtures.catalogue, sortValues: ["jd", "rb"], candidateFields: fields)
        for spec in PageFixtures.catalogue.filters {
            XCTAssertTrue(page.contains(">\(spec.parameter)<"), spec.parameter)
        }
        let marsTable = page.section(from: "<table class=\"filters-help\">", to: "</table>")
        XCTAssertEqual(marsTable.section(from: "<tbody>", to: "</tbody>").occurrences(of: "<tr>"),
                       PageFixtures.catalogue.filters.filter(\.isMARS).count)
        for route in RouteDescription.all { XCTAssertTrue(page.contains(escapeHTML(route.path)), route.path) }
        XCTAssertTrue(page.contains("<td class=\"mono\">rb</td><td class=\"wrap\">Real-bogus score"))
        XCTAssertTrue(page.contains("<code>zpclrcov</code>, <code>clrmed</code>"), "undocumented fields listed by name")
        XCTAssertTrue(page.contains("curl -s -X POST"))
        XCTAssertTrue(page.contains("cursor"))
    }
}
