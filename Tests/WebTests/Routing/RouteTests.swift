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

    func testObjectRoutes() {
        XCTAssertEqual(Route(path: "/objects"), .objects)
        XCTAssertEqual(Route(path: "/objects/"), .objects)
        XCTAssertEqual(Route(path: "/objects/ZTF18abomhfb/"), .object("ZTF18abomhfb"))
        XCTAssertEqual(Route(path: "/objects/ztf18ABOMHFB"), .object("ztf18ABOMHFB"))
        XCTAssertEqual(Route(path: "/ZTF18abomhfb/"), .objectRedirect("ZTF18abomhfb"))
        XCTAssertEqual(Route(path: "/ztf18abomhfb"), .objectRedirect("ztf18abomhfb"))
        // Only letters and digits, a letter first and a digit somewhere, name an object.
        for path in ["/objects/ZTF18abc.def/", "/objects/18abc/", "/objects/abc/", "/objects/a/b/", "/favicon.ico", "/abc/",
                     "/objects/" + String(repeating: "a1", count: 33) + "/", "/ZTF18abcdefg/x/"] {
            XCTAssertEqual(Route(path: path), .notFound, path)
        }
        // Alert ids and the named routes keep their meaning.
        XCTAssertEqual(Route(path: "/42/"), .detail(42))
        XCTAssertEqual(Route(path: "/latest/"), .latest)
        XCTAssertEqual(Route.objects.rateLimitKind, .api)
        XCTAssertEqual(Route.object("x").rateLimitKind, .api)
        XCTAssertEqual(Route.objectRedirect("x").rateLimitKind, .api)
        XCTAssertEqual(Route.object("x").metricsLabel(method: "GET"), "object")
        XCTAssertEqual(Route.objects.parameters, nil, "the objects catalogue knows the listing's parameters")
        XCTAssertEqual(Route.object("x").parameters, ["format"])
    }

    func testOnlyTheListingTakesPOST() {
        XCTAssertEqual(Route.listing.allowedMethods, ["GET", "HEAD", "POST"])
        XCTAssertEqual(Route.detail(1).allowedMethods, ["GET", "HEAD"])
    }
}
