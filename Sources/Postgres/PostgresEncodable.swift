/// One bound parameter as libpq sends it: its type, and its value in PostgreSQL's binary or
/// text form (nil for NULL).
public struct PostgresParameter: Sendable, Hashable {
    public enum Format: Int32, Sendable, Hashable {
        case text = 0, binary = 1
    }

    public let type: PostgresType
    public let format: Format
    public let bytes: [UInt8]?

    /// SQL NULL of `type`.
    public static func null(_ type: PostgresType) -> PostgresParameter {
        PostgresParameter(type: type, format: .text, bytes: nil)
    }

    /// A value in PostgreSQL's text form, parsed by the server as `type`: for values whose
    /// exact text matters (a sort key as PostgreSQL printed it, a decimal for a `real` column).
    public init(text: String, type: PostgresType) {
        self.init(type: type, format: .text, bytes: Array(text.utf8))
    }

    init(type: PostgresType, format: Format, bytes: [UInt8]?) {
        (self.type, self.format, self.bytes) = (type, format, bytes)
    }

    static func binary<Integer: FixedWidthInteger>(_ value: Integer, _ type: PostgresType) -> PostgresParameter {
        PostgresParameter(type: type, format: .binary, bytes: withUnsafeBytes(of: value.bigEndian) { Array($0) })
    }
}

/// A Swift value that can be bound as a parameter of a `SQL` statement.
public protocol PostgresEncodable: Sendable {
    /// The parameter's type (also the type of its NULL).
    static var postgresType: PostgresType { get }
    var postgresParameter: PostgresParameter { get }
}

extension Int64: PostgresEncodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresParameter: PostgresParameter { .binary(self, .int8) }
}

extension Int: PostgresEncodable {
    public static var postgresType: PostgresType { .int8 }
    public var postgresParameter: PostgresParameter { .binary(Int64(self), .int8) }
}

extension Int32: PostgresEncodable {
    public static var postgresType: PostgresType { .int4 }
    public var postgresParameter: PostgresParameter { .binary(self, .int4) }
}

extension Int16: PostgresEncodable {
    public static var postgresType: PostgresType { .int2 }
    public var postgresParameter: PostgresParameter { .binary(self, .int2) }
}

extension Double: PostgresEncodable {
    public static var postgresType: PostgresType { .float8 }
    public var postgresParameter: PostgresParameter { .binary(bitPattern, .float8) }
}

extension Float: PostgresEncodable {
    public static var postgresType: PostgresType { .float4 }
    public var postgresParameter: PostgresParameter { .binary(bitPattern, .float4) }
}

extension Bool: PostgresEncodable {
    public static var postgresType: PostgresType { .bool }
    public var postgresParameter: PostgresParameter { PostgresParameter(type: .bool, format: .binary, bytes: [self ? 1 : 0]) }
}

extension String: PostgresEncodable {
    public static var postgresType: PostgresType { .text }
    /// Sent in binary form, its UTF-8 bytes with their length: a NUL byte is refused by the
    /// server as invalid text rather than silently ending the value.
    public var postgresParameter: PostgresParameter { PostgresParameter(type: .text, format: .binary, bytes: Array(utf8)) }
}

/// Bytes, bound as `bytea`.
public struct ByteA: PostgresEncodable {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public static var postgresType: PostgresType { .bytea }
    public var postgresParameter: PostgresParameter { PostgresParameter(type: .bytea, format: .binary, bytes: bytes) }
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresType { Element.postgresArrayType }

    /// Sent as an array literal (`{1,2,3}`, `{"a","b"}`), elements quoted where needed.
    public var postgresParameter: PostgresParameter {
        let literal = "{" + map(\.arrayLiteralElement).joined(separator: ",") + "}"
        return PostgresParameter(text: literal, type: Element.postgresArrayType)
    }
}

/// A type whose arrays can be bound (`bigint[]`, `double precision[]`, `text[]`).
public protocol PostgresArrayElement: Sendable {
    static var postgresArrayType: PostgresType { get }
    /// The element as written inside an array literal.
    var arrayLiteralElement: String { get }
}

extension Int64: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { .int8Array }
    public var arrayLiteralElement: String { String(self) }
}

extension Double: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { .float8Array }
    /// Swift writes the shortest digits that read back as the same double, as PostgreSQL does.
    public var arrayLiteralElement: String {
        isNaN ? "NaN" : isInfinite ? (self < 0 ? "-Infinity" : "Infinity") : String(self)
    }
}

/// A missing element, NULL in the array.
extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { Wrapped.postgresArrayType }
    public var arrayLiteralElement: String { map(\.arrayLiteralElement) ?? "NULL" }
}

extension String: PostgresArrayElement {
    public static var postgresArrayType: PostgresType { .textArray }
    public var arrayLiteralElement: String {
        "\"" + replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
