import Foundation
import HTTP
import Model

/// Builds the URLs the API hands out (next pages, Avro files, cutouts), absolute so that
/// scripts can follow them as they are.
struct Links {
    let base: String

    /// Links start with `publicBase` (`ALERTDB_PUBLIC_URL`) when the service has one. Else with
    /// the request's scheme and Host when that is a host and optional port and nothing else
    /// (`Authority`), else with the address the client connected to: a Host that is not an
    /// address at all (`evil.example/x`, quotes, `@`) never reaches a link.
    init(_ request: Request, publicBase: String?) {
        if let publicBase {
            base = publicBase
            return
        }
        let authority = Authority.valid(request.header("Host")) ?? request.localAuthority
        base = authority.isEmpty ? "" : request.scheme + "://" + authority
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
