import Store
import XCTest
@testable import Web

/// The listing form's `where` box and the help page's section on expressions.
final class ExpressionFormTests: XCTestCase {
    func testTheBoxKeepsTheExpressionAndShowsItsMessageBesideIt() {
        let message = "where: at character 11: expected a value after '>='"
        let page = Pages.listing(PageFixtures.listingInput(
            alerts: [], parameters: [("where", "magpsf >= <b>"), ("rb__gte", "0.5")], error: (message: message, parameter: "where")))
        let form = page.section(from: "<form", to: "</form>")
        let box = form.section(from: "<div class=\"expression\">", to: "</div>")
        XCTAssertTrue(box.contains("<label class=\"invalid\""))
        XCTAssertTrue(box.contains("aria-invalid=\"true\" aria-describedby=\"where-error\""))
        XCTAssertTrue(box.contains(">magpsf &gt;= &lt;b&gt;</textarea>"), "kept as typed, escaped")
        XCTAssertTrue(box.contains("<p class=\"field-error\" id=\"where-error\">where: at character 11: expected a value after &#39;&gt;=&#39;</p>"))
        XCTAssertEqual(form.occurrences(of: "aria-invalid=\"true\""), 1)
        XCTAssertFalse(form.contains("<h3>Other filters</h3>"), "where has its own box, not a field among the other filters")
        XCTAssertTrue(form.contains("name=\"rb__gte\" value=\"0.5\""))
    }

    func testTheBoxIsEmptyAndUnmarkedWithoutAnExpression() {
        let page = Pages.listing(PageFixtures.listingInput(alerts: []))
        let box = page.section(from: "<div class=\"expression\">", to: "</div>")
        XCTAssertTrue(box.contains("<textarea name=\"where\""))
        XCTAssertTrue(box.contains("></textarea>"))
        XCTAssertFalse(box.contains("invalid"))
        XCTAssertFalse(box.contains("field-error"))
    }

    func testHelpExplainsExpressions() {
        let page = Pages.help(catalogue: PageFixtures.catalogue, sortValues: ["jd"], candidateFields: ["jd", "magpsf"])
        let section = page.section(from: "<h2 id=\"expressions\">", to: "<h2 id=\"values\">")
        for words in ["BETWEEN", "IS NULL", "LIKE", "sqrt", "log10", "cone(ra, dec, radius)", "missing values",
                      "At most \(ListingQuery.expressionLimits.maxLength) characters", "at most \(ListingQuery.maxCones) cones",
                      "wall_time", "where: at character 11"] {
            XCTAssertTrue(section.contains(words), words)
        }
        XCTAssertTrue(page.contains("<a href=\"#expressions\">Expressions</a>"))
    }
}
