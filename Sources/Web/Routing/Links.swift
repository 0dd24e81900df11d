import Foundation
import HTTP
import Model

/// Builds the URLs the API hands out (next pages, Avro files, cutouts), absolute when the
/// request says which host it was sent to, so that scripts can follow them as they are.
struct Links {
    let base: String

    init(_ request: Request) {
        if let host = request.header("Host"), !host.isEmpty, host.utf8.count <= 255,
           host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]_".contains($0)) }) {
            base = request.scheme + "://" + host
        } else {
            base = ""
        }
    }

    func listing(_ items: [(name: String, value: String)]) -> String {
        items.isEmpty ? base + "/" : base + "/?" + Self.encode(items)
    }

    func alert(_ id: Int64) -> String { "\(base)/\(id)/" }
    func avro(_ id: Int64) -> String { "\(base)/\(id)/avro/" }
    func cutout(_ id: Int64, _ kind: String) -> String { "\(base)/\(id)/cutout/\(kind)/" }

    func objects(_ items: [(name: String, value: String)]) -> String {
        items.isEmpty ? base + "/objects/" : base + "/objects/?" + Self.encode(items)
    }

    /// The object's page; `items` (a query to keep, as a redirect does) follow it.
    func object(_ objectId: String, _ items: [(name: String, value: String)] = []) -> String {
        base + "/objects/" + Self.escape(objectId) + "/" + (items.isEmpty ? "" : "?" + Self.encode(items))
    }

    /// `name=value&...` with everything but unreserved characters percent-encoded.
    static func encode(_ items: [(name: String, value: String)]) -> String {
        items.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
