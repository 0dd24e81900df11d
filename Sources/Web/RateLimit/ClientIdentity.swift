import Foundation
import Model

/// Who a request comes from, for rate limiting: the peer's address, or, when the peer is a
/// trusted reverse proxy, the address it forwarded. Anyone else's `X-Forwarded-For` is ignored:
/// a client could write any address there and escape its budget.
public struct ClientIdentity: Sendable {
    /// Reverse proxies whose forwarding headers are believed: addresses or networks.
    let trustedProxies: [IPNetwork]

    /// `trustedProxies` are addresses (`10.0.0.2`) or networks (`10.0.0.0/24`, `fd00::/8`);
    /// entries that are neither are ignored (`ServeConfiguration` refuses them first).
    public init(trustedProxies: [String]) {
        self.trustedProxies = trustedProxies.compactMap(IPNetwork.init)
    }

    /// The bucket key of the client behind `peer`: `ip:ADDRESS` for IPv4, `ip:PREFIX/64` for IPv6
    /// (one host is usually given a whole /64, so a budget per address would be one per host's whim).
    public func client(peer: String, forwardedFor: String?) -> String {
        let address = clientAddress(peer: peer, forwardedFor: forwardedFor)
        return "ip:" + (address.map { $0.budgetKey } ?? peer)
    }

    /// Whether `peer` is a trusted proxy (whose `X-Forwarded-Proto` may also be believed).
    public func isTrusted(peer: String) -> Bool {
        IPAddress(peer).map(isTrusted) ?? false
    }

    /// The rightmost address of `X-Forwarded-For` that is not itself a trusted proxy: proxies
    /// append the address they received from, so the entries left of it are the client's to write.
    private func clientAddress(peer: String, forwardedFor: String?) -> IPAddress? {
        let direct = IPAddress(peer)
        guard let direct, isTrusted(direct), let forwardedFor else { return direct }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !hops.isEmpty, hops.count <= 32 else { return direct }
        var client = direct
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { return client }   // garbage: stop at what is known
            client = address
            if !isTrusted(address) { break }
        }
        return client
    }

    private func isTrusted(_ address: IPAddress) -> Bool { trustedProxies.contains { $0.contains(address) } }
}

/// An address with a prefix length: `10.0.0.0/8`, or one address (`10.0.0.2`, a /32).
struct IPNetwork {
    private let network: IPAddress
    private let prefixLength: Int

    init?(_ string: String) {
        let parts = string.split(separator: "/", maxSplits: 1).map(String.init)
        guard let address = IPAddress(parts[0]) else { return nil }
        let width = address.bytes.count * 8
        guard let length = parts.count == 2 ? Int(parts[1]) : width, (0...width).contains(length) else { return nil }
        network = address
        prefixLength = length
    }

    func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var bits = prefixLength
        for (a, b) in zip(address.bytes, network.bytes) where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xff : ~(0xff >> UInt8(bits))
            if a & mask != b & mask { return false }
            bits -= 8
        }
        return true
    }
}

/// A numeric IPv4 or IPv6 address, in its canonical text (IPv4-mapped IPv6 reads as IPv4).
struct IPAddress {
    let text: String
    /// The address's bytes (4 or 16).
    let bytes: [UInt8]

    init?(_ string: String) {
        var text = string
        if text.hasPrefix("::ffff:"), text.dropFirst(7).contains(".") { text = String(text.dropFirst(7)) }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: v6) { Array($0) }
        } else {
            return nil
        }
        self.text = Self.format(bytes)
    }

    /// IPv4: the address. IPv6: its /64 network.
    var budgetKey: String {
        bytes.count == 4 ? text : Self.format(Array(bytes.prefix(8)) + [UInt8](repeating: 0, count: 8)) + "/64"
    }

    private static func format(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(cString: buffer)
    }
}
