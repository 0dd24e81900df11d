import Foundation

/// A numeric IPv4 or IPv6 address and port, resolved once with getaddrinfo.
struct SocketAddress {
    private var storage = sockaddr_storage()
    let isIPv6: Bool

    init(host: String, port: Int) throws {
        guard (0...65535).contains(port) else { throw ServerError(message: "port \(port) is out of range") }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw ServerError(message: "cannot resolve host \(host)")
        }
        defer { freeaddrinfo(result) }
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        }
        isIPv6 = first.pointee.ai_family == AF_INET6
    }

    func withPointer<R>(_ body: (UnsafePointer<sockaddr>) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self)) }
    }

    /// The numeric host of `address` (`203.0.113.9`, `2001:db8::1`), or "" when it is not IP.
    /// A dual-stack socket sees IPv4 peers as `::ffff:203.0.113.9`; they read as IPv4, so that
    /// an address is written one way whichever socket it came through.
    static func host(of address: UnsafePointer<sockaddr>) -> String {
        let family = Int32(address.pointee.sa_family)
        guard family == AF_INET || family == AF_INET6 else { return "" }
        let length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return "" }
        let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("::ffff:"), text.dropFirst(7).contains(".") { return String(text.dropFirst(7)) }
        return text
    }

    /// `host:port` of `address`, the host of IPv6 in brackets (`[::1]:8080`), or "".
    static func authority(of address: UnsafePointer<sockaddr>) -> String {
        let host = host(of: address)
        guard !host.isEmpty else { return "" }
        let port = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        return (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// The local address and port of a connected socket, as `authority(of:)` writes it.
    static func localAuthority(ofSocket socket: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                getsockname(socket, address, &length) == 0 ? authority(of: address) : ""
            }
        }
    }
}
