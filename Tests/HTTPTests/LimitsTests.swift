import Foundation
import HTTP
import XCTest

/// The limits that keep slow, greedy or oversize clients from holding connections: each is
/// answered (414, 431) or cut off (the request timeout, connections per client) as documented.
final class LimitsTests: XCTestCase {
    /// Seconds until `connection` is closed by the server, checking every 0.1 s, while
    /// `trickle` (called every `interval` s) keeps sending bytes; nil if still open at `limit`.
    private func secondsUntilClosed(_ connection: RawConnection, limit: Double, interval: Double = 0.5,
                                    trickle: (() -> Void)? = nil) -> Double? {
        let started = Date()
        var lastSent = started
        while Date().timeIntervalSince(started) < limit {
            if connection.isClosedByServer { return Date().timeIntervalSince(started) }
            if let trickle, Date().timeIntervalSince(lastSent) >= interval {
                trickle()
                lastSent = Date()
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }

    func testATricklingClientIsCutOffAtTheRequestTimeout() throws {
        var limits = Server.Limits()
        limits.requestTimeoutSeconds = 2
        let server = try echoServer(limits: limits)
        let slow = try RawConnection(port: server.port)
        slow.send("GET / HTTP/1.1\r\nHost: t\r\n")
        var line = 0
        // One header line every half second: libmicrohttpd's own timeout (30 s) never fires.
        let held = secondsUntilClosed(slow, limit: 8) {
            line += 1
            slow.send("X-Line-\(line): x\r\n")
        }
        let seconds = try XCTUnwrap(held, "a trickling client kept its connection for 8 s")
        XCTAssertGreaterThan(seconds, 1.5)
        XCTAssertLessThan(seconds, 3.5)
        XCTAssertEqual(server.connectionsClosedForLateness, 1)
        // Others are served meanwhile and after.
        XCTAssertTrue(try RawHTTP.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port).hasPrefix("HTTP/1.1 200"))
    }

    func testARequestSlowToAnswerIsNotCutOff() throws {
        var limits = Server.Limits()
        limits.requestTimeoutSeconds = 1
        // The clock stops once the request is in: a 2.5 s query is answered in full.
        let server = try echoServer(limits: limits, delay: 2.5)
        let reply = try RawHTTP.send("GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port)
        XCTAssertTrue(reply.hasPrefix("HTTP/1.1 200") && reply.contains("GET /slow"), reply)
        XCTAssertEqual(server.connectionsClosedForLateness, 0)
    }

    func testAKeptAliveConnectionWaitsForItsNextRequestAtMostTheRequestTimeout() throws {
        var limits = Server.Limits()
        limits.requestTimeoutSeconds = 2
        let server = try echoServer(limits: limits)
        let connection = try RawConnection(port: server.port)
        // Two requests in a row on one connection, the second within the timeout.
        for path in ["/one", "/two"] {
            connection.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            Thread.sleep(forTimeInterval: 1.2)
            XCTAssertFalse(connection.isClosedByServer, path)
        }
        let idle = try XCTUnwrap(secondsUntilClosed(connection, limit: 5))
        XCTAssertLessThan(idle, 1.5)   // 2 s after the second answer, 1.2 s of which had passed
    }

    func testConnectionsOfOneClientAreCapped() throws {
        var limits = Server.Limits()
        limits.maxConnectionsPerClient = 4
        let server = try echoServer(limits: limits)
        let held = try (0..<4).map { _ in try RawConnection(port: server.port) }
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertFalse(held.contains { $0.isClosedByServer })
        // The fifth from the same address is closed at once, unanswered.
        let fifth = try RawConnection(port: server.port)
        fifth.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(fifth.readAll(), "")
        // Another address is served.
        let other = try RawHTTP.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port, source: "127.0.0.2")
        XCTAssertTrue(other.hasPrefix("HTTP/1.1 200") && other.contains("peer 127.0.0.2"), other)
    }

    func testTooManyQueryParametersGetA414WithJSONAtOnce() throws {
        let server = try echoServer()
        // 2,000 parameters are fine; past about 3,800, libmicrohttpd 0.9.75 hung for 30 s.
        let fine = (0..<2000).map { "a\($0)=1" }.joined(separator: "&")
        XCTAssertTrue(try RawHTTP.send("GET /?\(fine) HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", port: server.port).hasPrefix("HTTP/1.1 200"))
        for count in [2001, 5000] {
            let query = (0..<count).map { "a\($0)=1" }.joined(separator: "&").prefix(32 * 1024 - 2)
            let started = Date()
            let reply = try RawHTTP.send("GET /?\(query) HTTP/1.1\r\nHost: t\r\n\r\n", port: server.port)
            XCTAssertLessThan(Date().timeIntervalSince(started), 2)
            XCTAssertTrue(reply.hasPrefix("HTTP/1.1 414"), "\(count): \(reply.prefix(200))")
            XCTAssertTrue(reply.contains("Content-Type: application/json"), reply)
            XCTAssertTrue(reply.hasSuffix("{\"error\":\"more than 2000 query parameters\"}"), reply)
        }
    }

    func testALongRequestTargetGetsA414WithJSON() throws {
        let server = try echoServer()
        for length in [32 * 1024 + 1, 100_000, 250_000] {
            let reply = try RawHTTP.send("GET /?x=\(String(repeating: "a", count: length)) HTTP/1.1\r\nHost: t\r\n\r\n", port: server.port)
            XCTAssertTrue(reply.hasPrefix("HTTP/1.1 414"), "\(length): \(reply.prefix(200))")
            XCTAssertTrue(reply.contains("{\"error\":\"the request target (path and query) is longer than 32768 bytes\"}"), reply)
        }
        let path = "/" + String(repeating: "p", count: 40_000)
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

    func testResponseHeadersGoOnEveryResponse() throws {
        var limits = Server.Limits()
        limits.maxBodyBytes = 10
        let server = try echoServer(limits: limits, responseHeaders: [("X-Content-Type-Options", "nosniff")])
        let answers = [
            "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 20\r\nConnection: close\r\n\r\n01234567890123456789",
            "GET /?\(String(repeating: "a", count: 40_000)) HTTP/1.1\r\nHost: t\r\n\r\n",
        ].map { try? RawHTTP.send($0, port: server.port) }
        for (answer, status) in zip(answers, ["200", "413", "414"]) {
            XCTAssertTrue(answer?.hasPrefix("HTTP/1.1 \(status)") == true, answer ?? "no answer")
            XCTAssertTrue(answer?.contains("X-Content-Type-Options: nosniff\r\n") == true, answer ?? "no answer")
        }
    }
}
