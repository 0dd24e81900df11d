import CAvro

/// Reads single Avro datums (no container around them) written with a known schema, as
/// streams with a schema registry send them.
public final class DatumReader {
    private let value: GenericValue
    /// The bytes of the datum being read: Avro C's memory reader points into them.
    private var bytes: [UInt8] = []

    public init(schema: AvroSchema) throws {
        value = try GenericValue(schema: schema)
    }

    public var schema: AvroSchema { value.schema }

    /// Decodes one datum. The value is a view, valid until the next call.
    public func read(_ datum: ArraySlice<UInt8>) throws -> AvroValue {
        bytes = Array(datum)
        guard !bytes.isEmpty else { throw AvroError(message: "empty datum") }
        // Every length in the datum is checked against the bytes before Avro C trusts it.
        let checked = try bytes.withUnsafeBytes { all -> Int in
            var bounds = DatumBounds(all)
            try bounds.check(value.shape)
            return bounds.position
        }
        guard checked == bytes.count else {
            throw AvroError(message: "the datum is \(bytes.count) bytes but its schema reads \(checked): not written with this schema")
        }
        let used = try bytes.withUnsafeBufferPointer { buffer -> Int in
            guard let reader = buffer.withMemoryRebound(to: CChar.self, { avro_reader_memory($0.baseAddress, Int64($0.count)) }) else {
                throw AvroError(message: "cannot read the datum")
            }
            defer { avro_reader_free(reader) }
            return try value.read(from: reader)
        }
        guard used == bytes.count else {
            throw AvroError(message: "the datum is \(bytes.count) bytes but its schema reads \(used): not written with this schema")
        }
        return value.view
    }
}
