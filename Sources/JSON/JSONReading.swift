import CJansson

/// Reading JSON sent by clients (the POST body of the bulk listing).
extension JSONValue {
    /// What a parsed value holds.
    public enum Kind: Equatable, Sendable { case object, array, string, integer, real, bool, null }

    /// A JSON text that Jansson cannot parse.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Parses `bytes` (any JSON value at top level; nesting as deep as Jansson allows).
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var error = json_error_t()
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { json_loadb($0.baseAddress, $0.count, Int(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES), &error) }
        }
        guard let parsed else {
            let text = withUnsafeBytes(of: error.text) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw ParseError(description: "invalid JSON at line \(error.line), column \(error.column): \(text)")
        }
        return JSONValue(taking: parsed)
    }

    public var kind: Kind {
        switch cjansson_typeof(raw) {
        case Int32(JSON_OBJECT.rawValue): return .object
        case Int32(JSON_ARRAY.rawValue): return .array
        case Int32(JSON_STRING.rawValue): return .string
        case Int32(JSON_INTEGER.rawValue): return .integer
        case Int32(JSON_REAL.rawValue): return .real
        case Int32(JSON_TRUE.rawValue), Int32(JSON_FALSE.rawValue): return .bool
        default: return .null
        }
    }

    /// The members of an object by key, for lookups (empty for other kinds; a JSON object's
    /// keys are unique).
    public var membersByKey: [String: JSONValue] {
        Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The members of an object in order (empty for other kinds).
    public var members: [(key: String, value: JSONValue)] {
        guard kind == .object else { return [] }
        var result: [(String, JSONValue)] = []
        var iterator = json_object_iter(raw)
        while let current = iterator {
            let key = String(cString: json_object_iter_key(current))
            if let value = json_object_iter_value(current) { result.append((key, JSONValue(retaining: value))) }
            iterator = json_object_iter_next(raw, current)
        }
        return result
    }

    /// The elements of an array (empty for other kinds).
    public var elements: [JSONValue] {
        guard kind == .array else { return [] }
        return (0..<json_array_size(raw)).compactMap { json_array_get(raw, $0).map { JSONValue(retaining: $0) } }
    }

    /// A scalar as text: strings as they are, numbers in their shortest exact form, booleans as
    /// true/false; nil for null, objects and arrays.
    public var scalarText: String? {
        switch kind {
        case .string:
            guard let chars = json_string_value(raw) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(start: chars, count: json_string_length(raw)), as: UTF8.self)
        case .integer: return String(json_integer_value(raw))
        case .real: return String(json_real_value(raw))
        case .bool: return cjansson_typeof(raw) == Int32(JSON_TRUE.rawValue) ? "true" : "false"
        default: return nil
        }
    }
}
