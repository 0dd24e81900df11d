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
