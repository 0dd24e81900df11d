import Avro
import Foundation
import Model

/// Why a stored alert cannot be written back as its writer schema.
struct ExportError: Error, CustomStringConvertible {
    let description: String
}

/// Sets Avro values from stored ones, following the value's own schema. Column text is
/// parsed the way PostgreSQL prints its types (shortest round-trip floats, `\x` hex bytea);
/// JSON from `extra` the way ingest wrote it (`json(from:)`: unions unwrapped, bytes base64,
/// non-finite numbers as strings).
enum AvroFilling {
    static func fill(_ target: AvroValue, with value: StoredValue, path: String) throws {
        func fail(_ why: String) -> ExportError { ExportError(description: "\(path): \(why)") }
        switch target.kind {
        case .union:
            let branches = target.schema.branches
            if value.isNull {
                guard let d = branches.firstIndex(where: { $0.kind == .null }) else { throw fail("NULL for a field that cannot be null") }
                target.selectBranch(d)?.setNull()
                return
            }
            guard let d = branches.indices.first(where: { accepts(branches[$0], value) }), let branch = target.selectBranch(d) else {
                throw fail("no branch of the union takes the stored value")
            }
            try fill(branch, with: value, path: path)
        case .null:
            guard value.isNull else { throw fail("a value for a null field") }
            target.setNull()
        case .boolean:
            switch value {
            case .text(let t?): target.set(bool: t == "t" || t == "true")
            case .json(.bool(let b)): target.set(bool: b)
            default: throw fail("not a boolean")
            }
        case .int:
            guard let x = integer(value).flatMap({ Int32(exactly: $0) }) else { throw fail("not an int") }
            target.set(int32: x)
        case .long:
            guard let x = integer(value) else { throw fail("not a long") }
            target.set(int64: x)
        case .float:
            switch value {
            // Parsed as a float directly: the shortest text of a real is only exact as a float.
            case .text(let t?):
                guard let x = Float(t) else { throw fail("not a float: \(t)") }
                target.set(float: x)
            default:
                guard let x = real(value) else { throw fail("not a float") }
                target.set(float: Float(x))
            }
        case .double:
            guard let x = real(value) else { throw fail("not a double") }
            target.set(double: x)
        case .string:
            switch value {
            case .text(let t?): target.set(string: t)
            case .json(.string(let s)): target.set(string: s)
            default: throw fail("not a string")
            }
        case .enum:
            guard let symbol = string(value), let index = target.schema.enumIndex(of: symbol) else { throw fail("not a symbol of the enum") }
            target.set(enumIndex: index)
        case .bytes, .fixed:
            let bytes: [UInt8]?
            switch value {
            case .text(let t?): bytes = hexBytea(t)
            case .json(.string(let s)): bytes = Data(base64Encoded: s).map { Array($0) }
            default: bytes = nil
            }
            guard let bytes, target.set(bytes: bytes) else { throw fail("not bytes of the right size") }
        case .record:
            guard case .json(.object(let members)) = value else { throw fail("not a record") }
            try fillRecord(target, from: StoredRow(columns: [:], extra: members), path: path)
        case .array:
            guard case .json(.array(let elements)) = value else { throw fail("not an array") }
            for (i, element) in elements.enumerated() {
                guard let slot = target.appendElement() else { throw fail("cannot append") }
                try fill(slot, with: .json(element), path: "\(path)[\(i)]")
            }
        case .map:
            guard case .json(.object(let members)) = value else { throw fail("not a map") }
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                guard let slot = target.addEntry(key) else { throw fail("cannot add \(key)") }
                try fill(slot, with: .json(member), path: "\(path).\(key)")
            }
        case .link:
            throw fail("unresolved schema link")
        }
    }

    /// Fills every field of a record from `row`, except those `special` fills itself
    /// (it returns true for them).
    static func fillRecord(_ record: AvroValue, from row: StoredRow, path: String,
                           special: (String, AvroValue) throws -> Bool = { _, _ in false }) throws {
        for i in 0..<record.count {
            let (name, field) = record.namedChild(i)
            guard let name else { continue }
            if try special(name, field) { continue }
            try fill(field, with: row.value(name), path: path.isEmpty ? name : "\(path).\(name)")
        }
    }

    /// Whether a non-null union branch of `schema` can hold `value`.
    private static func accepts(_ schema: AvroSchema, _ value: StoredValue) -> Bool {
        let kind = schema.kind
        switch value {
        case .text: return kind != .null && kind != .record && kind != .array && kind != .map
        case .json(let json):
            switch (json, kind) {
            case (.bool, .boolean): return true
            case (.integer, .int), (.integer, .long), (.integer, .float), (.integer, .double): return true
            case (.real, .float), (.real, .double): return true
            case (.string(let s), .float), (.string(let s), .double): return nonFinite(s) != nil
            case (.string, .string), (.string, .enum), (.string, .bytes), (.string, .fixed): return true
            case (.object, .record), (.object, .map), (.array, .array): return true
            default: return false
            }
        }
    }

    private static func integer(_ value: StoredValue) -> Int64? {
        switch value {
        case .text(let t?): return Int64(t) ?? Double(t).flatMap { Int64(exactly: $0) }
        case .json(.integer(let i)): return i
        case .json(.real(let d)): return Int64(exactly: d)
        default: return nil
        }
    }

    private static func real(_ value: StoredValue) -> Double? {
        switch value {
        case .text(let t?): return Double(t)
        case .json(.integer(let i)): return Double(i)
        case .json(.real(let d)): return d
        case .json(.string(let s)): return nonFinite(s)
        default: return nil
        }
    }

    private static func string(_ value: StoredValue) -> String? {
        switch value {
        case .text(let t?): return t
        case .json(.string(let s)): return s
        default: return nil
        }
    }

    /// How `JSONValue.real` writes the numbers JSON cannot hold.
    private static func nonFinite(_ s: String) -> Double? {
        switch s {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return nil
        }
    }

    /// bytea in PostgreSQL's hex output format, `\x0a1b...`.
    static func hexBytea(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2 - 1)
        var i = 2
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }
}
