import CAvro

/// A writer schema reduced to what the encoded size of a datum depends on, built once per
/// schema (cached with its reader), so that a datum can be checked against the bytes that hold
/// it before Avro C reads it (`DatumBounds`).
///
/// Named types used twice share one node, so a schema whose types are reused at every level
/// costs its own size, not its expansion. A schema that refers to itself, or nests deeper than
/// `AvroLimits.maximumDepth`, is refused.
final class DatumShape {
    enum Kind {
        case null, boolean, int, long, float, double, bytes, string
        case fixed(size: Int), enumeration(symbols: Int)
        case record, array, map, union
    }

    let kind: Kind
    /// Fields of a record, branches of a union, the items of an array or the values of a map.
    private(set) var children: [DatumShape] = []
    /// The fewest bytes a datum of this type takes (0 for null, an empty record, ...).
    private(set) var minimumSize = 0

    private init(kind: Kind) { self.kind = kind }

    /// The shape of `schema`; throws for a recursive or too deeply nested schema, and for one
    /// whose datums could never fit in a block.
    static func of(_ schema: AvroSchema) throws -> DatumShape {
        var built: [OpaquePointer: DatumShape] = [:]
        var open: Set<OpaquePointer> = []
        let shape = try build(schema.raw, depth: 0, built: &built, open: &open)
        // Avro C lays a record's fixed fields out inside the value and zeroes them when it
        // creates it, before reading anything: a schema with a 2 GiB fixed field cost 2 GB of
        // memory per schema. No such datum fits in a block, so the schema is refused first.
        guard shape.minimumSize <= AvroLimits.maximumBlockSize else {
            throw AvroError(message: "writer schema needs at least \(shape.minimumSize) bytes per datum, more than a block may hold")
        }
        return shape
    }

    private static func build(_ raw: avro_schema_t, depth: Int, built: inout [OpaquePointer: DatumShape],
                              open: inout Set<OpaquePointer>) throws -> DatumShape {
        var schema = raw
        while cavro_typeof(schema) == AVRO_LINK { schema = avro_schema_link_target(schema) }
        let key = OpaquePointer(schema)
        if let known = built[key] { return known }
        guard !open.contains(key) else { throw AvroError(message: "recursive writer schema: not an alert schema") }
        guard depth < AvroLimits.maximumDepth else {
            throw AvroError(message: "writer schema nests deeper than \(AvroLimits.maximumDepth) levels")
        }
        open.insert(key)
        defer { open.remove(key) }
        func child(_ s: avro_schema_t) throws -> DatumShape { try build(s, depth: depth + 1, built: &built, open: &open) }

        let shape: DatumShape
        switch cavro_typeof(schema) {
        case AVRO_NULL: shape = DatumShape(kind: .null)
        case AVRO_BOOLEAN: shape = DatumShape(kind: .boolean); shape.minimumSize = 1
        case AVRO_INT32: shape = DatumShape(kind: .int); shape.minimumSize = 1
        case AVRO_INT64: shape = DatumShape(kind: .long); shape.minimumSize = 1
        case AVRO_FLOAT: shape = DatumShape(kind: .float); shape.minimumSize = 4
        case AVRO_DOUBLE: shape = DatumShape(kind: .double); shape.minimumSize = 8
        case AVRO_BYTES: shape = DatumShape(kind: .bytes); shape.minimumSize = 1
        case AVRO_STRING: shape = DatumShape(kind: .string); shape.minimumSize = 1
        case AVRO_FIXED:
            let size = Int(avro_schema_fixed_size(schema))
            guard size >= 0, size <= AvroLimits.maximumBlockSize else {
                throw AvroError(message: "writer schema has a fixed type of \(size) bytes, more than a block may hold")
            }
            shape = DatumShape(kind: .fixed(size: size))
            shape.minimumSize = size
        case AVRO_ENUM:
            shape = DatumShape(kind: .enumeration(symbols: Int(avro_schema_enum_number_of_symbols(schema))))
            shape.minimumSize = 1
        case AVRO_RECORD:
            shape = DatumShape(kind: .record)
            shape.children = try (0..<avro_schema_record_size(schema)).map {
                try child(avro_schema_record_field_get_by_index(schema, Int32($0)))
            }
            // Saturating: a record of many large fixed types cannot overflow the sum.
            shape.minimumSize = shape.children.reduce(0) { min($0 &+ $1.minimumSize, Int.max / 2) }
        case AVRO_ARRAY:
            shape = DatumShape(kind: .array)
            shape.children = [try child(avro_schema_array_items(schema))]
            shape.minimumSize = 1
        case AVRO_MAP:
            shape = DatumShape(kind: .map)
            shape.children = [try child(avro_schema_map_values(schema))]
            shape.minimumSize = 1
        case AVRO_UNION:
            shape = DatumShape(kind: .union)
            shape.children = try (0..<avro_schema_union_size(schema)).map { try child(avro_schema_union_branch(schema, Int32($0))) }
            shape.minimumSize = 1
        default:
            throw AvroError(message: "invalid writer schema: a type Avro C does not know")
        }
        built[key] = shape
        return shape
    }
}
