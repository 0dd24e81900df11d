import Foundation

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
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
