import CJansson
import Foundation

/// A JSON value built with Jansson; owns one reference to its `json_t`.
public final class JSONValue {
    let raw: UnsafeMutablePointer<json_t>

    private init(taking raw: UnsafeMutablePointer<json_t>) { self.raw = raw }
    deinit { cjansson_decref(raw) }

    public static func object() -> JSONValue { JSONValue(taking: json_object()) }
    public static func array() -> JSONValue { JSONValue(taking: json_array()) }
    public static func null() -> JSONValue { JSONValue(taking: json_null()) }
    public static func bool(_ b: Bool) -> JSONValue { JSONValue(taking: b ? json_true() : json_false()) }
    public static func integer(_ i: Int64) -> JSONValue { JSONValue(taking: json_integer(i)) }

    /// A number; JSON has no NaN or infinity, so those become the strings "NaN", "Infinity", "-Infinity".
    public static func real(_ d: Double) -> JSONValue {
        if d.isFinite { return JSONValue(taking: json_real(d)) }
        return string(d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))
    }

    /// A string; invalid UTF-8 is replaced rather than rejected.
    public static func string(_ s: String) -> JSONValue {
        let utf8 = Array(s.utf8)
        return utf8.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { JSONValue(taking: json_stringn($0.baseAddress, $0.count)) }
        }
    }

    /// Sets `key` of an object.
    public func set(_ key: String, _ value: JSONValue) {
        json_object_set(raw, key, value.raw)
    }

    /// Appends to an array.
    public func append(_ value: JSONValue) {
        json_array_append(raw, value.raw)
    }

    /// Number of keys of an object or elements of an array.
    public var count: Int {
        cjansson_is_object(raw) != 0 ? json_object_size(raw) : json_array_size(raw)
    }

    /// Compact JSON text with keys in insertion order.
    public func serialized() -> String {
        guard let text = json_dumps(raw, cjansson_dump_flags()) else { return "null" }
        defer { free(text) }
        return String(cString: text)
    }
}
