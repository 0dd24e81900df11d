import Foundation

/// Where a page of the listing ended: the sort key and id of its last alert (or, going back,
/// of its first). The next page starts strictly after it, so alerts ingested meanwhile shift
/// nothing: no alert is shown twice or skipped, unlike `page=N`, whose offset moves when
/// newer alerts arrive.
struct Cursor: Equatable {
    let sortColumn: String
    let ascending: Bool
    /// The row's sort value as PostgreSQL printed it (exact), or nil for NULL.
    let value: String?
    let id: Int64
    /// True for the page before the row rather than after it (the `previous` link).
    let backward: Bool

    /// An opaque URL-safe token.
    var token: String {
        let plain = ["1", sortColumn, ascending ? "asc" : "desc", value ?? "~", String(id), backward ? "before" : "after"]
            .joined(separator: " ")
        return Data(plain.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(sortColumn: String, ascending: Bool, value: String?, id: Int64, backward: Bool = false) {
        (self.sortColumn, self.ascending, self.value, self.id, self.backward) = (sortColumn, ascending, value, id, backward)
    }

    /// Decodes a token; nil when it is not one this server made.
    init?(token: String) {
        guard token.count <= 200 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else { return nil }
        let parts = plain.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "1", parts[2] == "asc" || parts[2] == "desc", let id = Int64(parts[4]),
              parts[5] == "after" || parts[5] == "before" else { return nil }
        let value: String? = parts[3] == "~" ? nil : parts[3]
        // Only values this server printed: finite numbers (1e999 reads as infinity, which no row holds).
        if let value, Double(value)?.isFinite != true { return nil }
        self.init(sortColumn: parts[1], ascending: parts[2] == "asc", value: value, id: id, backward: parts[5] == "before")
    }
}
