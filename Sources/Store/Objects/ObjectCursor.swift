import Foundation

/// Where a page of the objects listing ended: the sort value and objectId of its last object
/// (or, going back, of its first). As for alerts (`Cursor`), the next page starts strictly
/// after it, so that objects updated or added meanwhile shift nothing else. objectId breaks
/// ties: it is the table's key, as id is the alerts'.
struct ObjectCursor: Equatable {
    let sortColumn: String
    let ascending: Bool
    /// The row's sort value as PostgreSQL printed it (exact), or nil for NULL.
    let value: String?
    let objectId: String
    /// True for the page before the row rather than after it (the `previous` link).
    let backward: Bool

    /// An opaque URL-safe token. The objectId is last, so that whatever it holds (a space) the
    /// fields before it still split apart.
    var token: String {
        let plain = ["o1", sortColumn, ascending ? "asc" : "desc", value ?? "~", backward ? "before" : "after", objectId]
            .joined(separator: " ")
        return Data(plain.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(sortColumn: String, ascending: Bool, value: String?, objectId: String, backward: Bool = false) {
        (self.sortColumn, self.ascending, self.value, self.objectId, self.backward) = (sortColumn, ascending, value, objectId, backward)
    }

    /// Decodes a token; nil when it is not one this server made for objects.
    init?(token: String) {
        guard token.count <= 400 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else { return nil }
        let parts = plain.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "o1", parts[2] == "asc" || parts[2] == "desc",
              parts[4] == "after" || parts[4] == "before", !parts[5].isEmpty, !parts[5].utf8.contains(0) else { return nil }
        let value: String? = parts[3] == "~" ? nil : parts[3]
        // Only values this server printed: finite numbers (1e999 reads as infinity, which no row holds).
        if let value, Double(value)?.isFinite != true { return nil }
        self.init(sortColumn: parts[1], ascending: parts[2] == "asc", value: value, objectId: parts[5],
                  backward: parts[4] == "before")
    }
}
