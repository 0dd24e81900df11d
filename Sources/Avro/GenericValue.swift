import CAvro
import Foundation

/// A reusable Avro C generic value of one schema: the value class (`avro_value_iface_t`) and
/// one instance of it. Building the class walks the whole schema, so it is built once per
/// schema and the instance is reset and refilled for every record read.
final class GenericValue {
    let schema: AvroSchema
    /// What encoded datums of the schema are checked against before Avro C reads them.
    let shape: DatumShape
    private let iface: UnsafeMutablePointer<avro_value_iface_t>
    var value = avro_value_t()

    init(schema: AvroSchema) throws {
        self.schema = schema
        // First: a recursive schema is refused before Avro C builds a class for it.
        shape = try DatumShape.of(schema)
        guard let iface = avro_generic_class_from_schema(schema.raw) else {
            throw avroError("cannot build a reader for the schema")
        }
        self.iface = iface
        guard avro_generic_value_new(iface, &value) == 0 else {
            cavro_value_decref_iface(iface)
            throw avroError("cannot allocate a value")
        }
    }

    deinit {
        avro_value_decref(&value)
        cavro_value_decref_iface(iface)
    }

    /// Decodes the next value from `reader` into this instance and returns its encoded size.
    /// The bytes behind `reader` must have been checked with `DatumBounds` against `shape`:
    /// Avro C allocates whatever sizes it reads.
    func read(from reader: avro_reader_t) throws -> Int {
        _ = cavro_value_reset(&value)
        guard avro_value_read(reader, &value) == 0 else { throw avroError("damaged Avro data") }
        var size = 0
        _ = avro_value_sizeof(&value, &size)
        return size
    }

    var view: AvroValue { AvroValue(raw: value) }
}

/// Parsed writer schemas by their JSON text, so that a stream of files written with the same
/// schema (every ZTF packet repeats its 20 kB schema) parses it once. Use from one thread.
public final class SchemaCache {
    private var entries: [SchemaText: GenericValue] = [:]
    /// The schema of the previous file: in a stream it is almost always the next one's too.
    private var last: (json: [UInt8], value: GenericValue)?
    private let capacity: Int

    public init(capacity: Int = 64) { self.capacity = capacity }

    func value(forSchemaJSON json: [UInt8]) throws -> GenericValue {
        if let last, Self.same(last.json, json) { return last.value }
        let value = try entries[SchemaText(json)] ?? parse(json)
        last = (json, value)
        return value
    }

    /// Whether two schema texts are the same bytes, compared with memcmp: `==` on `[UInt8]`
    /// compares byte by byte, and every packet's schema (tens of kB) is compared with the last.
    private static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { a in b.withUnsafeBytes { b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }

    private func parse(_ json: [UInt8]) throws -> GenericValue {
        var schema: avro_schema_t?
        let status = json.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { avro_schema_from_json_length($0.baseAddress, $0.count, &schema) }
        }
        guard status == 0, let schema else { throw avroError("invalid writer schema in the container header") }
        let parsed = AvroSchema(retaining: schema, original: String(decoding: json, as: UTF8.self))
        avro_schema_decref(schema)
        let value = try GenericValue(schema: parsed)
        if entries.count >= capacity { entries.removeAll() }
        entries[SchemaText(json)] = value
        return value
    }
}

/// A schema's JSON text as a dictionary key, hashed as one block of bytes: `[UInt8]`'s own
/// hashing feeds the hasher one byte at a time, which for a 20 kB schema cost more than
/// decoding the packet.
private struct SchemaText: Hashable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
