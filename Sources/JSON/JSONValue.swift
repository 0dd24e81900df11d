import CJansson
import Foundation

/// A JSON value built with Jansson; owns one reference to its `json_t`.
public final class JSONValue {
    let raw: UnsafeMutablePointer<json_t>

    init(taking raw: UnsafeMutablePointer<json_t>) { self.raw = raw }
    /// Shares a value held elsewhere (an element of a parsed document).
    init(retaining raw: UnsafeMutablePointer<json_t>) { self.raw = cjansson_incref(raw)! }
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

    // Scalars set straight into an object, without a Swift object per value: a listing page
    // sets about 14,000 of them. A Swift String is always valid UTF-8, so Jansson's
    // `_nocheck` entry points skip validating keys and strings again.

    public func setNull(_ key: String) { json_object_set_new_nocheck(raw, key, json_null()) }
    public func set(_ key: String, integer: Int64) { json_object_set_new_nocheck(raw, key, json_integer(integer)) }
    public func set(_ key: String, bool: Bool) { json_object_set_new_nocheck(raw, key, bool ? json_true() : json_false()) }

    public func set(_ key: String, real: Double) {
        if real.isFinite { json_object_set_new_nocheck(raw, key, json_real(real)) } else { set(key, JSONValue.real(real)) }
    }

    public func set(_ key: String, string: String) {
        var string = string
        string.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                _ = json_object_set_new_nocheck(raw, key, json_stringn_nocheck($0.baseAddress, $0.count))
            }
        }
    }

    /// Appends to an array.
    public func append(_ value: JSONValue) {
        json_array_append(raw, value.raw)
    }

    /// Number of keys of an object or elements of an array.
    public var count: Int {
        cjansson_is_object(raw) != 0 ? json_object_size(raw) : json_array_size(raw)
    }

    /// Compact JSON text with keys in insertion order. Doubles keep all 17 significant digits
    /// (an exact round trip) unless `realPrecision` asks for fewer: 15 digits print every
    /// value that has at most 15 (0.1, not 0.10000000000000001) and lose at most 1 part in 10^15.
    public func serialized(realPrecision: Int = 17) -> String {
        guard let text = json_dumps(raw, cjansson_dump_flags_precision(Int32(realPrecision))) else { return "null" }
        defer { free(text) }
        return String(cString: text)
    }
}
