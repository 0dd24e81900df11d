@testable import Web
import XCTest

final class RouteTests: XCTestCase {
    func testTrailingSlashesAreOptional() {
        XCTAssertEqual(Route(path: "/"), .listing)
        XCTAssertEqual(Route(path: ""), .listing)
        XCTAssertEqual(Route(path: "/42"), .detail(42))
        XCTAssertEqual(Route(path: "/42/"), .detail(42))
        XCTAssertEqual(Route(path: "/42/photometry"), .photometry(42))
        XCTAssertEqual(Route(path: "/42/avro/"), .avro(42))
        XCTAssertEqual(Route(path: "/42/cutout/Science"), .cutout(42, kind: "Science"))
        XCTAssertEqual(Route(path: "/42/cutout/difference/"), .cutout(42, kind: "Difference"))
        XCTAssertEqual(Route(path: "/latest"), .latest)
        XCTAssertEqual(Route(path: "/health/"), .health)
        XCTAssertEqual(Route(path: "/help"), .help)
    }

    func testAnythingElseIsNotFound() {
        for path in ["/-1/", "/abc/", "/1234567890123456789/", "/42/cutout/Other/", "/42/cutout/", "/42/x/", "/1/2/3/4", "/٣/"] {
            XCTAssertEqual(Route(path: path), .notFound, path)
        }
    }

    func testOnlyTheListingTakesPOST() {
        XCTAssertEqual(Route.listing.allowedMethods, ["GET", "HEAD", "POST"])
        XCTAssertEqual(Route.detail(1).allowedMethods, ["GET", "HEAD"])
    }
}
