import Model
import Store
import XCTest
@testable import Web

final class ListingPageTests: XCTestCase {
    func testTableHasOneRowPerAlertAndMARSColumns() {
        let alerts = (1...100).map { PageFixtures.alert(id: Int64($0)) }
        let page = Pages.listing(PageFixtures.listingInput(alerts: alerts))
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>"))
        let table = page.section(from: "<table class=\"alerts\">", to: "</table>")
        XCTAssertEqual(table.section(from: "<tbody>", to: "</tbody>").occurrences(of: "<tr>"), 100)
        let header = table.section(from: "<thead>", to: "</thead>")
        for column in ["id", "objectId", "time (UTC)", "filter", "ra", "dec", "magpsf", "magap", "distnr",
                       "Δmaglatest", "Δmagref", "rb"] {
            XCTAssertTrue(header.contains(">\(column)</th>"), "missing column \(column)")
        }
        XCTAssertTrue(table.contains("<a href=\"/42/\">42</a>"))
        XCTAssertTrue(table.contains("<a href=\"/?objectId=ZTF18abcdefg\">ZTF18abcdefg</a>"))
        // Rounded: ra and dec to 6 places, magnitudes and rb to 3; NULL as an empty cell.
        XCTAssertTrue(table.contains(">150.123457</td>"))
        XCTAssertTrue(table.contains(">-2.250000</td>"))
        XCTAssertTrue(table.contains(">18.612</td>"))
        XCTAssertTrue(table.contains(">0.877</td>"))
        XCTAssertTrue(table.contains(">-0.250</td><td class=\"num\"></td><td class=\"num\">0.877</td>"))
        XCTAssertTrue(page.contains("100 alerts"))
        XCTAssertTrue(page.contains("Latest alert: <a href=\"/7/\">2018-06-01T00:00:00.000Z</a> (3 d ago)"))
        XCTAssertTrue(page.contains("href=\"/?rb__gte=0.5&amp;cursor=abc\""), "next link, escaped")
        XCTAssertTrue(page.contains("href=\"/?rb__gte=0.5&amp;format=json\""), "JSON link")
        XCTAssertTrue(page.contains("href=\"/help/\""))
    }

    func testFormKeepsValuesAndMarksTheOffendingField() {
        let parameters = [("rb__gte", "0.5"), ("filter", "g"), ("time__gt", "2018-06-01"), ("sort_value", "magpsf"),
                          ("sort_order", "asc"), ("magpsf__lte", "abc"), ("fwhm__lt", "3"), ("cursor", "xyz")]
        let page = Pages.listing(PageFixtures.listingInput(
            alerts: [], parameters: parameters, error: (message: "not a number: 'abc'", parameter: "magpsf__lte")))
        let form = page.section(from: "<form", to: "</form>")
        XCTAssertTrue(form.contains("method=\"get\" action=\"/\""))
        XCTAssertTrue(form.contains("name=\"rb__gte\" value=\"0.5\""))
        XCTAssertTrue(form.contains("name=\"time__gt\" value=\"2018-06-01\""))
        XCTAssertTrue(form.contains("<option value=\"g\" selected>g</option>"))
        XCTAssertTrue(form.contains("<option value=\"magpsf\" selected>magpsf</option>"))
        XCTAssertTrue(form.contains("<option value=\"asc\" selected>asc</option>"))
        XCTAssertTrue(form.contains("name=\"fwhm__lt\" value=\"3\""), "a non-MARS filter keeps a field")
        XCTAssertFalse(form.contains("xyz"), "a new search starts from the first page")
        // One field per MARS filter.
        let marsCount = PageFixtures.catalogue.filters.filter(\.isMARS).count
        XCTAssertEqual(form.section(from: "<div class=\"grid\">", to: "</div>").occurrences(of: "<label"), marsCount)
        // The error is shown, and the field it is about is marked.
        XCTAssertTrue(page.contains("<div class=\"error\" id=\"error\" role=\"alert\"><code>magpsf__lte</code>: not a number: &#39;abc&#39;</div>"))
        XCTAssertEqual(form.occurrences(of: "aria-invalid=\"true\""), 1)
        XCTAssertTrue(form.contains("name=\"magpsf__lte\" value=\"abc\" placeholder=\"number\" title=\"PSF-fit magnitude at most (brighter than or equal)\" aria-invalid=\"true\""))
        XCTAssertFalse(page.contains("<table"), "a rejected query shows no (empty) results")
    }

    func testEmptyResult() {
        let page = Pages.listing(PageFixtures.listingInput(alerts: []))
        XCTAssertTrue(page.contains("0 alerts"))
        XCTAssertTrue(page.contains("No alert matches these filters."))
    }

    func testCountWording() {
        XCTAssertEqual(Format.alertCount(123, isEstimate: false), "123 alerts")
        XCTAssertEqual(Format.alertCount(1, isEstimate: false), "1 alert")
        XCTAssertEqual(Format.alertCount(10_000, isEstimate: false), "10,000 alerts")
        XCTAssertEqual(Format.alertCount(1_234_567, isEstimate: true), "about 1.2 million alerts")
        XCTAssertEqual(Format.alertCount(12_345, isEstimate: true), "about 12,000 alerts")
        XCTAssertEqual(Format.age(seconds: 42.7), "42 s")
        XCTAssertEqual(Format.age(seconds: 300), "5 min")
        XCTAssertEqual(Format.age(seconds: 3 * 3_600 + 10), "3 h")
        XCTAssertEqual(Format.age(seconds: 2 * 86_400 + 1), "2 d")
        XCTAssertEqual(Format.age(seconds: -5), "0 s")
        XCTAssertEqual(Format.age(seconds: 1e300), "11,574,074,074 d")
        XCTAssertEqual(Format.fixed(-0.0004, 3), "0.000")
        XCTAssertEqual(Format.fixed(-1.0005, 2), "-1.00")
        XCTAssertEqual(Format.fixed(0.05, 3), "0.050")
        XCTAssertEqual(Format.fixed(359.9999999, 6), "360.000000")
    }

    func testRendersAHundredRowsQuickly() {
        let alerts = (1...100).map { PageFixtures.alert(id: Int64($0)) }
        let input = PageFixtures.listingInput(alerts: alerts)
        _ = Pages.listing(input)
        let clock = ContinuousClock()
        let elapsed = clock.measure { for _ in 0..<10 { _ = Pages.listing(input) } } / 10
        print("listing of 100 alerts rendered in \(elapsed)")
        XCTAssertLessThan(elapsed, .milliseconds(25))
    }
}
