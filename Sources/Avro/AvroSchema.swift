import CAvro

/// The kinds of Avro type, as Avro C names them.
public enum AvroKind: Sendable, Equatable {
    case string, bytes, int, long, float, double, boolean, null
    case record, `enum`, fixed, map, array, union, link

    init(_ type: avro_type_t) {
        switch type {
        case AVRO_STRING: self = .string
        case AVRO_BYTES: self = .bytes
        case AVRO_INT32: self = .int
        case AVRO_INT64: self = .long
        case AVRO_FLOAT: self = .float
        case AVRO_DOUBLE: self = .double
        case AVRO_BOOLEAN: self = .boolean
        case AVRO_NULL: self = .null
        case AVRO_RECORD: self = .record
        case AVRO_ENUM: self = .enum
        case AVRO_FIXED: self = .fixed
        case AVRO_MAP: self = .map
        case AVRO_ARRAY: self = .array
        case AVRO_UNION: self = .union
        default: self = .link
        }
    }
}

/// A reference-counted Avro schema (an `avro_schema_t`), read-only.
public final class AvroSchema: @unchecked Sendable {
    let raw: avro_schema_t
    /// The JSON text the schema was parsed from, when it was parsed from text.
    let original: String?

    /// Takes a new reference to `raw`; `original` is the text it was parsed from, if any.
    init(retaining raw: avro_schema_t, original: String? = nil) {
        self.raw = avro_schema_incref(raw)
        self.original = original
    }

    /// The schema as it was written: the text it was parsed from, else Avro C's JSON. Avro C
    /// writes no attribute it does not use (a `logicalType`, a `doc`), which a packet written
    /// back with its schema must keep.
    public var definition: String { original ?? json }

    deinit { avro_schema_decref(raw) }

    public var kind: AvroKind {
        // A named type used a second time appears as a link to its definition.
        AvroKind(cavro_typeof(resolvedRaw))
    }

    private var resolvedRaw: avro_schema_t {
        var schema = raw
        while cavro_typeof(schema) == AVRO_LINK { schema = avro_schema_link_target(schema) }
        return schema
    }

    /// The full name of a record, enum or fixed type (nil for others).
    public var name: String? {
        guard [.record, .enum, .fixed].contains(kind), let name = avro_schema_name(resolvedRaw) else { return nil }
        return String(cString: name)
    }

    /// The fields of a record, in order.
    public var fields: [(name: String, schema: AvroSchema)] {
        let record = resolvedRaw
        guard cavro_typeof(record) == AVRO_RECORD else { return [] }
        return (0..<avro_schema_record_size(record)).map { i in
            (String(cString: avro_schema_record_field_name(record, Int32(i))),
             AvroSchema(retaining: avro_schema_record_field_get_by_index(record, Int32(i))))
        }
    }

    /// The branches of a union, in order.
    public var branches: [AvroSchema] {
        let union = resolvedRaw
        guard cavro_typeof(union) == AVRO_UNION else { return [] }
        return (0..<avro_schema_union_size(union)).map { AvroSchema(retaining: avro_schema_union_branch(union, Int32($0))) }
    }

    /// The item type of an array.
    public var items: AvroSchema? {
        let array = resolvedRaw
        guard cavro_typeof(array) == AVRO_ARRAY else { return nil }
        return AvroSchema(retaining: avro_schema_array_items(array))
    }

    /// For `["null", T]` (in either order) returns T; for any other schema, itself.
    public var nonNull: AvroSchema {
        guard kind == .union else { return self }
        let others = branches.filter { $0.kind != .null }
        return others.count == 1 ? others[0] : self
    }

    /// Structural equality, as Avro C defines it.
    public func isEqual(to other: AvroSchema) -> Bool { avro_schema_equal(raw, other.raw) != 0 }

    /// The schema as Avro JSON.
    public var json: String {
        // Ask the writer for the size first by writing into a growing buffer.
        var capacity = 64 * 1024
        while true {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
            defer { buffer.deallocate() }
            let writer = avro_writer_memory(buffer, Int64(capacity))!
            defer { avro_writer_free(writer) }
            if avro_schema_to_json(raw, writer) == 0 {
                let length = Int(avro_writer_tell(writer))
                return String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
            }
            capacity *= 4
            if capacity > 64 << 20 { return "" }
        }
    }
}

/// The last error Avro C recorded on this thread.
func avroError(_ context: String) -> AvroError {
    let detail = avro_strerror().map { String(cString: $0) } ?? ""
    let trimmed = detail.trimmingCharacters(in: .whitespacesAndNewlines)
    return AvroError(message: trimmed.isEmpty ? context : "\(context): \(trimmed)")
}

/// An error from Avro C (a malformed container, a truncated block, ...).
public struct AvroError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

extension AvroSchema {
    /// Parses a schema from Avro JSON.
    public convenience init(json: String) throws {
        var schema: avro_schema_t?
        guard avro_schema_from_json_length(json, json.utf8.count, &schema) == 0, let schema else {
            throw avroError("invalid schema")
        }
        self.init(retaining: schema, original: json)
        avro_schema_decref(schema)
    }
}
