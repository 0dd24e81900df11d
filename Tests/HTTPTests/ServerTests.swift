import Foundation
import HTTP
import XCTest

final class ServerTests: XCTestCase {
    /// A server whose handler describes the request it got, as text.
    func echoServer(limits: Server.Limits = Server.Limits()) throws -> Server {
        try Server(host: "127.0.0.1", port: 0, limits: limits) { request in
            var lines = ["\(request.method) \(request.path)"]
            lines += request.query.map { "q \($0.name)=\($0.value)" }
            lines.append("h x-test=\(request.header("X-Test") ?? "-")")
            lines.append("body \(request.body.count) \(String(decoding: request.body, as: UTF8.self))")
            lines.append("peer \(request.remoteAddress)")
            return Response(status: 200, headers: [("Content-Type", "text/plain"), ("X-Echo", "1")], body: Array(lines.joined(separator: "\n").utf8))
        }
    }

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
}

/// A counter shared by threads.
final class Atomic: @unchecked Sendable {
    private var count: Int
    private let lock = NSLock()
    init(_ value: Int) { count = value }
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Sends bytes as they are (malformed ones included) and reads the reply until the server closes.
enum RawHTTP {
    static func send(_ text: String, port: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply += buffer[0..<n]
        }
        return String(decoding: reply, as: UTF8.self)
    }
}
