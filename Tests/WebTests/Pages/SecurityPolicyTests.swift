import Model
import Store
import XCTest
@testable import Web

/// The Content-Security-Policy every response carries must let the pages work: they load
/// nothing the policy forbids, so the browser blocks nothing (the Chromium test checks the same
/// pages in a browser).
final class SecurityPolicyTests: XCTestCase {
    var pages: [String: String] {
        [
            "listing": Pages.listing(PageFixtures.listingInput(alerts: [PageFixtures.alert(id: 1)])),
            "listing error": Pages.listing(PageFixtures.listingInput(alerts: [], error: ("bad", "rb__gte"))),
            "detail": Pages.detail(PageFixtures.detailInput()),
            "help": Pages.help(catalogue: PageFixtures.catalogue, sortValues: ["jd"], candidateFields: ["jd"]),
            "latest": Pages.latest(PageFixtures.latest),
            "photometry": Pages.photometry(alert: PageFixtures.alert(id: 7), photometry: PageFixtures.photometry),
            "error": Pages.error(status: 404, message: "no such page", parameter: nil),
        ]
    }

    var policy: String { AlertService.securityHeaders.first { $0.name == "Content-Security-Policy" }!.value }

    func testThePolicyAllowsOnlyWhatThePagesUse() {
        XCTAssertEqual(policy, "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
        let names = AlertService.securityHeaders.map(\.name)
        XCTAssertEqual(names, ["X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options"])
    }

    func testThePagesLoadNothingThePolicyForbids() {
        for (name, page) in pages {
            XCTAssertFalse(page.contains("<script"), "\(name): a script, which default-src 'none' blocks")
            XCTAssertFalse(page.contains("<iframe") || page.contains("<object") || page.contains("<embed"), name)
            XCTAssertFalse(page.range(of: " on[a-z]+=", options: .regularExpression) != nil, "\(name): an event handler attribute")
            XCTAssertEqual(page.occurrences(of: "<style>"), 1, "\(name): one inline stylesheet ('unsafe-inline')")
            XCTAssertFalse(page.contains("@import") || page.contains("url("), "\(name): the stylesheet loads nothing")
            // Images and the icon: this site's paths, or data: (img-src 'self' data:).
            let sources = page.attributeValues("src", inTagsStartingWith: "<img") + page.attributeValues("href", inTagsStartingWith: "<link")
            for source in sources {
                XCTAssertTrue(source.hasPrefix("/") && !source.hasPrefix("//") || source.hasPrefix("data:"), "\(name): \(source)")
            }
            for action in page.attributeValues("action", inTagsStartingWith: "<form") {
                XCTAssertTrue(action.hasPrefix("/") && !action.hasPrefix("//"), "\(name): form to \(action)")
            }
        }
    }
}
