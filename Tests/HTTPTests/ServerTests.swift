import Foundation
import HTTP
import XCTest

final class ServerTests: XCTestCase {
    func testRequestIsParsedAndDecoded() throws {
        let server = try echoServer()
        XCTAssertGreaterThan(server.port, 0)
        let reply = try RawHTTP.send("GET /a%20b/?x=1&cone=1%2C2%2C3&x=2&flag HTTP/1.1\r\nHost: t\r\nX-Test: yes\r\nConnection: close\r\n\r\n", port: server.port)
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 200"), reply)
        XCTAssertTrue(reply.contains("GET /a b/\nq x=1\nq cone=1,2,3\nq x=2\nq flag=\nh x-test=yes\nbody 0 \npeer 127.0.0.1"), reply)
        XCTAssertTrue(reply.contains("X-Echo: 1"), reply)
    }

    func testBodyIsCollectedAndCapped() throws {
        var limits = Server.Limits()
        limits.maxBodyBytes = 1000
        let server = try echoServer(limits: limits)
        let small = String(repeating: "a", count: 1000)
        let ok = try RawHTTP.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n\(small)", port: server.port)
        XCTAssertTrue(ok.contains("body 1000 aaaa"), ok)
        let big = String(repeating: "b", count: 5000)
        let refused = try RawHTTP.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n\(big)", port: server.port)
        XCTAssertTrue(refused.hasPrefix("HTTP/1.1 413"), refused)
    }

    func testHeadSendsNoBody() throws {
        let server = try echoServer()
        let reply = try RawHTTP.send("HEAD /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port)
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 200"), reply)
        XCTAssertFalse(reply.contains("peer"), reply)
    }

    func testMalformedRequestsAreAnsweredByTheLibrary() throws {
        let server = try echoServer()
        let reply = try RawHTTP.send("NONSENSE\r\n\r\n", port: server.port)
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 400") || reply.isEmpty, reply)
        // The server is still there.
        XCTAssertTrue(try RawHTTP.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port).hasPrefix("HTTP/1.1 200"))
    }

    func testConcurrentRequests() throws {
        let server = try echoServer()
        let failures = Atomic(0)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let reply = try? RawHTTP.send("GET /n?i=\(i) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port)
            if reply?.contains("q i=\(i)\n") != true { failures.add(1) }
        }
        XCTAssertEqual(failures.value, 0)
    }

    func testBusyPortIsAnError() throws {
        let server = try echoServer()
        XCTAssertThrowsError(try Server(host: "127.0.0.1", port: server.port) { _ in Response(status: 200) })
    }

    func testAnIPv6HostListensForIPv4Too() throws {
        try XCTSkipUnless(RawHTTP.hasIPv6Loopback, "no IPv6 loopback on this machine")
        let server = try echoServer(host: "::")
        let v6 = try RawHTTP.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port, host: "::1")
        XCTAssertTrue(v6.contains("peer ::1\nlocal [::1]:\(server.port)"), v6)
        // IPv4 peers arrive as ::ffff:127.0.0.1 on the dual-stack socket and read as IPv4.
        let v4 = try RawHTTP.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port, host: "127.0.0.1")
        XCTAssertTrue(v4.contains("peer 127.0.0.1\nlocal 127.0.0.1:\(server.port)"), v4)
    }
}
