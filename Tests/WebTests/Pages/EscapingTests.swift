import Model
import Store
import XCTest
@testable import Web

final class EscapingTests: XCTestCase {
    let hostile = PageFixtures.hostile

    func testEscapeHTML() {
        XCTAssertEqual(escapeHTML(hostile), "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;")
        XCTAssertEqual(escapeHTML("ZTF18abcdefg"), "ZTF18abcdefg")
        XCTAssertEqual(escapeHTML("Δ<é>"), "Δ&lt;é&gt;")
        XCTAssertEqual(Links.escape("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9")
    }

    func testHostileStringsNeverReachAPageUnescaped() {
        let alert = PageFixtures.alert(id: 1, objectId: hostile)
        var detail = PageFixtures.detailInput(objectId: hostile)
        detail.cutouts.append(CutoutInfo(kind: hostile, fileName: hostile, format: .unknown))
        detail.photometry.append(PhotometryPoint(jd: 2_458_272, filter: hostile, magpsf: 18, sigmapsf: 0.1,
                                                 diffmaglim: 20, isdiffpos: hostile))
        let latest = LatestAlert(id: 1, candid: 2, jd: 2_458_000, wallTime: hostile, ageSeconds: 1)
        let listing = ListingPageInput(
            parameters: [("objectId", hostile), (hostile, hostile), ("sort_value", hostile), ("sort_order", hostile)],
            catalogue: PageFixtures.catalogue, sortValues: ["jd"], rows: [Pages.listingRow(alert)], count: 1, countIsEstimate: false,
            page: nil, previousURL: "/?objectId=" + hostile, nextURL: hostile, latest: latest,
            error: (message: hostile, parameter: hostile), jsonURL: hostile)
        var listingWithoutError = listing
        listingWithoutError.error = nil
        let pages = [
            ("listing", Pages.listing(listing)),
            ("listing without error", Pages.listing(listingWithoutError)),
            ("detail", Pages.detail(detail)),
            ("photometry", Pages.photometry(alert: alert, photometry: detail.photometry)),
            ("latest", Pages.latest(latest)),
            ("error", Pages.error(status: 400, message: hostile, parameter: hostile)),
        ]
        for (name, page) in pages {
            XCTAssertFalse(page.contains("<script"), name)
            XCTAssertFalse(page.contains(hostile), name)
            XCTAssertFalse(page.contains("\"'"), name)
            XCTAssertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;")
                          || page.contains("%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%27%26"), name)
        }
    }
}
