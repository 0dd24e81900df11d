import Foundation

/// Addresses and networks, as a setting lists them (`127.0.0.0/8,::1`).
public struct AddressList: Sendable {
    let networks: [IPNetwork]

    /// Nil when an entry is neither an address nor a network.
    public init?(_ entries: [String]) {
        var networks: [IPNetwork] = []
        for entry in entries {
            guard let network = IPNetwork(entry) else { return nil }
            networks.append(network)
        }
        self.networks = networks
    }

    /// The first entry that is neither an address nor a network (`ServeConfiguration` names it).
    public static func firstInvalid(_ entries: [String]) -> String? {
        entries.first { IPNetwork($0) == nil }
    }

    /// Whether `address` (numeric; IPv4-mapped IPv6 reads as IPv4) is in one of the networks.
    func contains(_ address: String) -> Bool {
        guard let parsed = IPAddress(address.trimmingCharacters(in: .whitespaces)) else { return false }
        return networks.contains { $0.contains(parsed) }
    }
}
