import CAvro

/// Writes records to a new Avro object container file (no compression).
public final class ContainerWriter {
    private var writer: avro_file_writer_t?

    /// Creates `path` with `schema` in its header. `blockSize` must exceed the largest record.
    public init(path: String, schema: AvroSchema, blockSize: Int = 1 << 20) throws {
        var writer: avro_file_writer_t?
        guard avro_file_writer_create_with_codec(path, schema.raw, &writer, "null", blockSize) == 0, let writer else {
            throw avroError("cannot create \(path)")
        }
        self.writer = writer
    }

    deinit { if let writer { avro_file_writer_close(writer) } }

    public func append(_ value: AvroValue) throws {
        var raw = value.raw
        guard avro_file_writer_append_value(writer, &raw) == 0 else { throw avroError("cannot write record") }
    }

    /// Flushes and closes the file; the writer cannot be used afterwards.
    public func close() throws {
        guard let writer else { return }
        self.writer = nil
        guard avro_file_writer_close(writer) == 0 else { throw avroError("cannot close file") }
    }
}
