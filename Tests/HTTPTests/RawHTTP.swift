import Foundation

/// A counter shared by threads.
final class Atomic: @unchecked Sendable {
    private var count: Int
    private let lock = NSLock()
    init(_ value: Int) { count = value }
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// A client connection that sends bytes as they are (malformed ones included) and reads what
/// comes back: what the tests need to play slow, greedy or broken clients.
final class RawConnection {
    private let fd: Int32

    /// Connects to `host` (an IPv4 or IPv6 literal) from `source` (any local address by default).
    init(host: String = "127.0.0.1", port: Int, source: String? = nil, timeoutSeconds: Int = 10) throws {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else { throw POSIXError(.EINVAL) }
        defer { freeaddrinfo(found) }
        fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        if let source {
            var local: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(source, "0", &hints, &local) == 0, let bound = local else { close(fd); throw POSIXError(.EINVAL) }
            defer { freeaddrinfo(local) }
            guard bind(fd, bound.pointee.ai_addr, bound.pointee.ai_addrlen) == 0 else { close(fd); throw POSIXError(.EADDRNOTAVAIL) }
        }
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(fd) }

    /// Sends all of `text`; false when the server no longer takes it.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Everything the server sends until it closes (or the read timeout passes).
    func readAll() -> String {
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply += buffer[0..<n]
        }
        return String(decoding: reply, as: UTF8.self)
    }

    /// Whether the server has closed the connection: a read finds the end (or a reset) rather
    /// than waiting. Data already sent by the server is read and dropped.
    var isClosedByServer: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 { continue }
            return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
        }
    }
}

enum RawHTTP {
    /// Sends `text` on a new connection and reads the reply until the server closes.
    static func send(_ text: String, port: Int, host: String = "127.0.0.1", source: String? = nil) throws -> String {
        let connection = try RawConnection(host: host, port: port, source: source)
        connection.send(text)
        return connection.readAll()
    }

    /// Whether this machine has an IPv6 loopback to test with.
    static var hasIPv6Loopback: Bool {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 }
        }
    }
}
