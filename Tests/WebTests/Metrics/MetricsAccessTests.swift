import HTTP
@testable import Web
import XCTest

final class MetricsAccessTests: XCTestCase {
    let access = MetricsAccess(allowed: AddressList(MetricsAccess.defaultAllowed)!)

    func request(from peer: String, _ headers: [String: String] = [:]) -> Request {
        Request(method: "GET", path: "/metrics", headers: headers, remoteAddress: peer)
    }

    func testLoopbackReadsTheMetricsAndNobodyElse() {
        for peer in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            XCTAssertTrue(access.allows(request(from: peer)), peer)
        }
        for peer in ["192.0.2.1", "10.0.0.1", "2001:db8::1", "::ffff:192.0.2.1", "", "garbage"] {
            XCTAssertFalse(access.allows(request(from: peer)), peer)
        }
    }

    func testForwardingHeadersOnlyTakeAccessAway() {
        // nginx on this machine connects from loopback: what it forwards for others is refused.
        XCTAssertFalse(access.allows(request(from: "127.0.0.1", ["x-forwarded-for": "203.0.113.9"])))
        XCTAssertFalse(access.allows(request(from: "127.0.0.1", ["x-forwarded-for": "127.0.0.1, 203.0.113.9"])))
        XCTAssertFalse(access.allows(request(from: "127.0.0.1", ["x-forwarded-for": "127.0.0.1,"])))
        XCTAssertFalse(access.allows(request(from: "127.0.0.1", ["forwarded": "for=127.0.0.1"])))
        XCTAssertTrue(access.allows(request(from: "127.0.0.1", ["x-forwarded-for": "127.0.0.1, ::1"])))
        // A client elsewhere cannot name a loopback address and be believed.
        XCTAssertFalse(access.allows(request(from: "203.0.113.9", ["x-forwarded-for": "127.0.0.1"])))
    }

    func testNetworksAndAddressesCanBeListed() {
        let access = MetricsAccess(allowed: AddressList(["10.0.0.0/8", "2001:db8::5"])!)
        XCTAssertTrue(access.allows(request(from: "10.20.30.40")))
        XCTAssertTrue(access.allows(request(from: "2001:db8::5")))
        XCTAssertFalse(access.allows(request(from: "2001:db8::6")))
        XCTAssertFalse(access.allows(request(from: "127.0.0.1")))
        XCTAssertNil(AddressList(["10.0.0.0/8", "prometheus.example.org"]))
        XCTAssertEqual(AddressList.firstInvalid(["10.0.0.0/8", "prometheus.example.org"]), "prometheus.example.org")
    }
}
