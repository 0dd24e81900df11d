import HTTP
@testable import Web
import XCTest

final class AuthorityTests: XCTestCase {
    func testAHostNameOrAddressWithAnOptionalPortIsAnAuthority() {
        for host in ["alerts.example.org", "alerts.example.org:8443", "localhost", "LOCALHOST:80", "xn--bcher-kva.example",
                     "127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:8080", "[2001:db8::1]:443", "example.org.", "a-b.c"] {
            XCTAssertEqual(Authority.valid(host), host, host)
        }
    }

    func testAnythingElseIsNot() {
        for host in ["", "evil.example/x", "evil.example:1:2", "x@evil.example", "evil_example", "evil.example\"",
                     "evil example", "a..b", ".a", "-a.example", "a-.example", "127.0.0.1:99999", "127.0.0.1:0",
                     "127.0.0.1:", "::1", "[::1", "[evil.example]", "[::1]x", "[fe80::1%eth0]", "[127.0.0.1]",
                     "héllo.example", String(repeating: "a", count: 64) + ".example", "a:+80", "<x>", "a\r\nb"] {
            XCTAssertNil(Authority.valid(host), host)
        }
        XCTAssertNil(Authority.valid(nil))
    }

    func testThePublicURLIsASchemeAnAuthorityAndAPlainPath() {
        XCTAssertEqual(Authority.publicBase("https://alerts.example.org"), "https://alerts.example.org")
        XCTAssertEqual(Authority.publicBase("https://alerts.example.org/"), "https://alerts.example.org")
        XCTAssertEqual(Authority.publicBase("http://127.0.0.1:8080/ztf/"), "http://127.0.0.1:8080/ztf")
        XCTAssertEqual(Authority.publicBase("https://[::1]:8443"), "https://[::1]:8443")
        for url in ["alerts.example.org", "ftp://alerts.example.org", "https://", "https://user@alerts.example.org",
                    "https://alerts.example.org/?x=1", "https://alerts.example.org/#top", "https://alerts.example.org//x",
                    "https://alerts.example.org/a b", "https://evil.example:1:2/"] {
            XCTAssertNil(Authority.publicBase(url), url)
        }
    }

    func testLinksStartWithThePublicURLElseAValidHostElseTheAddressConnectedTo() {
        func base(host: String?, publicBase: String? = nil, scheme: String = "http") -> String {
            var request = Request(method: "GET", path: "/", headers: host.map { ["host": $0] } ?? [:],
                                  remoteAddress: "192.0.2.1", localAuthority: "127.0.0.1:8080")
            request.scheme = scheme
            return Links(request, publicBase: publicBase).base
        }
        XCTAssertEqual(base(host: "evil.example", publicBase: "https://alerts.example.org"), "https://alerts.example.org")
        XCTAssertEqual(base(host: "alerts.example.org:8443", scheme: "https"), "https://alerts.example.org:8443")
        XCTAssertEqual(base(host: "evil.example/\"><script>"), "http://127.0.0.1:8080")
        XCTAssertEqual(base(host: nil), "http://127.0.0.1:8080")
        XCTAssertEqual(Links(Request(method: "GET", path: "/"), publicBase: nil).base, "", "nothing known: relative links")
    }
}
