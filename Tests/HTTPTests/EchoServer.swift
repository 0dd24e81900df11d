import HTTP
import XCTest

extension XCTestCase {
    /// A server whose handler describes the request it got, as text; it waits `delay` seconds
    /// before answering, like a slow query.
    func echoServer(limits: Server.Limits = Server.Limits(), host: String = "127.0.0.1",
                    responseHeaders: [(name: String, value: String)] = [], delay: Double = 0) throws -> Server {
        try Server(host: host, port: 0, limits: limits, responseHeaders: responseHeaders) { request in
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            var lines = ["\(request.method) \(request.path)"]
            lines += request.query.map { "q \($0.name)=\($0.value)" }
            lines.append("h x-test=\(request.header("X-Test") ?? "-")")
            lines.append("body \(request.body.count) \(String(decoding: request.body, as: UTF8.self))")
            lines.append("peer \(request.remoteAddress)")
            lines.append("local \(request.localAuthority)")
            return Response(status: 200, headers: [("Content-Type", "text/plain"), ("X-Echo", "1")], body: Array(lines.joined(separator: "\n").utf8))
        }
    }
}
