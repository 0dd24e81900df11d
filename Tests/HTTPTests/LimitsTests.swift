import Foundation
import HTTP
import XCTest

/// The limits that keep slow, greedy or oversize clients from holding connections: each is
/// answered (414, 431) or cut off (the request timeout, connections per client) as documented.
final class LimitsTests: XCTestCase {
    func testTooManyQueryParametersGetA414WithJSONAtOnce() throws {
        let server = try echoServer()
        // 1,000 parameters are fine; past about 3,800, libmicrohttpd 0.9.75 hung for 30 s.
        let fine = (0..<1000).map { "a\($0)=1" }.joined(separator: "&")
        XCTAssertTrue(try RawHTTP.send("GET /?\(fine) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port).hasPrefix("HTTP/1.1 200"))
        for count in [1001, 5000] {
            let query = (0..<count).map { "a\($0)=1" }.joined(separator: "&").prefix(16 * 1024 - 2)
            let started = Date()
            let reply = try RawHTTP.send("GET /?\(query) HTTP/1.1\r\nHost: t\r\n\r\n", port: server.port)
            XCTAssertLessThan(Date().timeIntervalSince(started), 2)
            XCTAssertTrue(reply.hasPrefix("HTTP/1.1 414"), "\(count): \(reply.prefix(200))")
            XCTAssertTrue(reply.contains("Content-Type: application/json"), reply)
            XCTAssertTrue(reply.hasSuffix("{\"error\":\"more than 1000 query parameters\"}"), reply)
        }
    }

    func testALongRequestTargetGetsA414WithJSON() throws {
        let server = try echoServer()
        for length in [16 * 1024 + 1, 100_000, 250_000] {
            let reply = try RawHTTP.send("GET /?x=\(String(repeating: "a", count: length)) HTTP/1.1\r\nHost: t\r\n\r\n", port: server.port)
            XCTAssertTrue(reply.hasPrefix("HTTP/1.1 414"), "\(length): \(reply.prefix(200))")
            XCTAssertTrue(reply.contains("{\"error\":\"the request target (path and query) is longer than 16384 bytes\"}"), reply)
        }
        let path = "/" + String(repeating: "p", count: 20_000)
        XCTAssertTrue(try RawHTTP.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n", port: server.port).hasPrefix("HTTP/1.1 414"))
    }

    func testLargeHeaderFieldsGetA431WithJSON() throws {
        let server = try echoServer()
        let headers = (0..<1000).map { "X-Filler-\($0): \(String(repeating: "v", count: 80))\r\n" }.joined()   // 100 kB
        let reply = try RawHTTP.send("GET / HTTP/1.1\r\nHost: t\r\n\(headers)\r\n", port: server.port)
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 431"), String(reply.prefix(200)))
        XCTAssertTrue(reply.hasSuffix("{\"error\":\"the request line and header fields are larger than 65536 bytes\"}"), reply)
        XCTAssertTrue(try RawHTTP.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port).hasPrefix("HTTP/1.1 200"))
    }
}
