import Avro
import Foundation
import JSON
import Model
import Store

/// Converts an Avro value to plain JSON for the `extra` columns: unions are unwrapped to
/// their value, records and maps become objects, bytes become base64 strings. Throws for a
/// string PostgreSQL cannot store (`storableText`): jsonb refuses NUL, as text does.
func json(from value: AvroValue) throws -> JSONValue {
    guard let value = value.unwrapped else { return .null() }
    switch value.kind {
    case .boolean: return .bool(value.bool)
    case .int: return .integer(Int64(value.int32))
    case .long: return .integer(value.int64)
    case .float: return .real(Double(value.float))
    case .double: return .real(value.double)
    case .string: return .string(String(decoding: try storableText(value.stringBytes), as: UTF8.self))
    case .bytes, .fixed: return .string(Data(value.bytes).base64EncodedString())
    case .enum: return .string(value.enumSymbol)
    case .record, .map:
        let object = JSONValue.object()
        for i in 0..<value.count {
            let (name, child) = value.namedChild(i)
            object.set(name ?? String(i), try json(from: child))
        }
        return object
    case .array:
        let array = JSONValue.array()
        for i in 0..<value.count { array.append(try json(from: value.child(i))) }
        return array
    case .null, .union, .link:
        return .null()
    }
}

/// The `extra` jsonb of a row, or nil when there is nothing to keep: `alertExtra` (the alert's
/// own fields without a column) at the top, and the record's fields without a column
/// (`unmapped`) at the top too or, with `extraPath`, under that name (`{"candidate": {...}}`).
func extraJSON(record: AvroValue, unmapped: [(name: String, index: Int)], extraPath: String?,
               alertExtra: [(String, JSONValue)]) throws -> String? {
    if unmapped.isEmpty && alertExtra.isEmpty { return nil }
    let extra = JSONValue.object()
    for (name, value) in alertExtra { extra.set(name, value) }
    if !unmapped.isEmpty {
        let fields = extraPath == nil ? extra : JSONValue.object()
        for f in unmapped { fields.set(f.name, try json(from: record.child(f.index))) }
        if let extraPath { extra.set(extraPath, fields) }
    }
    return extra.serialized()
}
