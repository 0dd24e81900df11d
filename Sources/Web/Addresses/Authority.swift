import Foundation

/// The host and optional port of a URL (`alerts.example.org`, `127.0.0.1:8080`, `[::1]:8080`),
/// checked: a Host header becomes the start of every absolute link the API writes, so anything
/// else in it (a path, `@`, quotes, spaces) must not get that far.
enum Authority {
    /// `text` when it is a host name, an IPv4 literal or a bracketed IPv6 literal, with an
    /// optional port, and nothing else; nil otherwise.
    static func valid(_ text: String?) -> String? {
        guard let text, !text.isEmpty, text.utf8.count <= 262, text.allSatisfy(\.isASCII) else { return nil }
        let host: Substring
        let port: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let literal = text[text.index(after: text.startIndex)..<close]
            guard !literal.contains("%"), let address = IPAddress(String(literal)), address.bytes.count == 16 else { return nil }
            host = text[...close]
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { return nil }
            port = rest.isEmpty ? nil : rest.dropFirst()
        } else {
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            port = parts.count == 2 ? parts[1] : nil
            guard isHostName(host) else { return nil }
        }
        if let port {
            guard (1...5).contains(port.count), port.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let number = Int(port), (1...65535).contains(number) else { return nil }
        }
        return text
    }

    /// A DNS name (labels of letters, digits and inner hyphens, up to 63 characters each, an
    /// optional final dot) or an IPv4 literal, which is made of such labels too.
    private static func isHostName(_ host: Substring) -> Bool {
        let name = host.hasSuffix(".") ? host.dropLast() : host
        guard !name.isEmpty, name.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// The base of every absolute link when the service has a public address
    /// (`ALERTDB_PUBLIC_URL`): `http://` or `https://`, a valid authority, an optional path of
    /// plain characters; returned without its final slash. Nil when `url` is not such a URL.
    static func publicBase(_ url: String) -> String? {
        let schemes = ["https://", "http://"]
        guard let scheme = schemes.first(where: { url.lowercased().hasPrefix($0) }) else { return nil }
        let rest = url.dropFirst(scheme.count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let authority = valid(String(rest[..<slash])) else { return nil }
        let path = rest[slash...]
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
        guard path.unicodeScalars.allSatisfy(allowed.contains), !path.contains("//") else { return nil }
        var base = scheme + authority + path
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}
