/// A standalone Avro value of one schema (usually a record), to be filled with the setters
/// of `AvroValue` and then written, e.g. with `ContainerWriter.bytes(schema:value:)`.
public final class GenericRecord {
    private let storage: GenericValue

    /// An empty value of `schema`: every union must have a branch chosen before it is written.
    public init(schema: AvroSchema) throws {
        storage = try GenericValue(schema: schema)
    }

    /// The schema the value was made for.
    public var schema: AvroSchema { storage.schema }

    /// The value, to fill; valid while this object lives.
    public var value: AvroValue { storage.view }
}
