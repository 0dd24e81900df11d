import Foundation
import Model

/// A JSON value read back from an `extra` jsonb column. Integers and reals are kept apart so
/// that a long survives exactly; reals parse to the nearest double, which is the exact value
/// written at ingest (17 significant digits, and jsonb keeps every digit).
enum JSONNode: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case real(Double)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let x = try? container.decode(Bool.self) {
            self = .bool(x)
        } else if let x = try? container.decode(Int64.self) {
            self = .integer(x)
        } else if let x = try? container.decode(Double.self) {
            self = .real(x)
        } else if let x = try? container.decode(String.self) {
            self = .string(x)
        } else if let x = try? container.decode([JSONNode].self) {
            self = .array(x)
        } else {
            self = .object(try container.decode([String: JSONNode].self))
        }
    }

    /// Parses jsonb text as PostgreSQL returns it.
    static func parse(_ text: String) throws -> JSONNode {
        try JSONDecoder().decode(JSONNode.self, from: Data(text.utf8))
    }

    /// The members of an object (none for anything else).
    var members: [String: JSONNode] {
        if case .object(let members) = self { return members }
        return [:]
    }
}
