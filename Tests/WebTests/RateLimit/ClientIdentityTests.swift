@testable import Web
import XCTest

final class ClientIdentityTests: XCTestCase {
    let identity = ClientIdentity(trustedProxies: ["127.0.0.1", "10.0.0.2", "::1"])

    func testThePeerIsTheClientUnlessItIsATrustedProxy() {
        XCTAssertEqual(identity.client(peer: "192.0.2.7", forwardedFor: "203.0.113.1"), "ip:192.0.2.7")
        XCTAssertEqual(identity.client(peer: "127.0.0.1", forwardedFor: "203.0.113.1"), "ip:203.0.113.1")
        XCTAssertEqual(identity.client(peer: "::1", forwardedFor: "203.0.113.1"), "ip:203.0.113.1")
        XCTAssertEqual(identity.client(peer: "127.0.0.1", forwardedFor: nil), "ip:127.0.0.1")
    }

    func testTheRightmostUntrustedHopIsTheClient() {
        // Entries left of the nearest untrusted hop were written by the client itself.
        XCTAssertEqual(identity.client(peer: "127.0.0.1", forwardedFor: "1.1.1.1, 203.0.113.1"), "ip:203.0.113.1")
        XCTAssertEqual(identity.client(peer: "127.0.0.1", forwardedFor: "203.0.113.1, 10.0.0.2"), "ip:203.0.113.1")
        XCTAssertEqual(identity.client(peer: "127.0.0.1", forwardedFor: "10.0.0.2"), "ip:10.0.0.2")
        XCTAssertEqual(identity.client(peer: "127.0.0.1", forwardedFor: "not-an-address, 203.0.113.1"), "ip:203.0.113.1")
        XCTAssertEqual(identity.client(peer: "127.0.0.1", forwardedFor: "garbage"), "ip:127.0.0.1")
        XCTAssertEqual(identity.client(peer: "127.0.0.1", forwardedFor: ""), "ip:127.0.0.1")
    }

    func testAddressesAreCanonicalAndIPv6IsCountedByItsSlash64() {
        XCTAssertEqual(identity.client(peer: "::ffff:192.0.2.7", forwardedFor: nil), "ip:192.0.2.7")
        XCTAssertEqual(identity.client(peer: "2001:DB8:0:1:aaaa::1", forwardedFor: nil), "ip:2001:db8:0:1::/64")
        XCTAssertEqual(identity.client(peer: "2001:db8:0:1:ffff:ffff:ffff:ffff", forwardedFor: nil), "ip:2001:db8:0:1::/64")
        XCTAssertEqual(identity.client(peer: "::ffff:127.0.0.1", forwardedFor: "2001:db8::5"), "ip:2001:db8::/64")
        XCTAssertTrue(identity.isTrusted(peer: "0:0:0:0:0:0:0:1"))
        XCTAssertFalse(identity.isTrusted(peer: "127.0.0.2"))
    }

    func testProxiesCanBeGivenAsNetworks() {
        let identity = ClientIdentity(trustedProxies: ["10.1.0.0/16", "fd00::/8", "192.0.2.1/32"])
        XCTAssertEqual(identity.client(peer: "10.1.200.3", forwardedFor: "203.0.113.1"), "ip:203.0.113.1")
        XCTAssertEqual(identity.client(peer: "10.2.0.1", forwardedFor: "203.0.113.1"), "ip:10.2.0.1")
        XCTAssertEqual(identity.client(peer: "fd12:3456::1", forwardedFor: "203.0.113.1, 10.1.0.9"), "ip:203.0.113.1")
        XCTAssertEqual(identity.client(peer: "192.0.2.1", forwardedFor: "203.0.113.1"), "ip:203.0.113.1")
        XCTAssertEqual(identity.client(peer: "192.0.2.2", forwardedFor: "203.0.113.1"), "ip:192.0.2.2")
        XCTAssertNil(IPNetwork("10.0.0.0/33"))
        XCTAssertNil(IPNetwork("10.0.0.0/x"))
        XCTAssertNotNil(IPNetwork("0.0.0.0/0"))
    }
}
