import CAvro
import Foundation

/// Reads the records of one Avro object container file held in memory, each with the writer
/// schema from the file's own header.
///
/// The reader copies the bytes it is given, so the caller's buffer may go away.
/// `next()` returns a view of the current record, valid until the next call or until the
/// reader is released.
public final class ContainerReader {
    private let buffer: UnsafeMutableRawBufferPointer
    private var reader: avro_file_reader_t?
    private var value = avro_value_t()
    private var iface: UnsafeMutablePointer<avro_value_iface_t>?
    private var hasValue = false

    /// The schema the file was written with.
    public let writerSchema: AvroSchema

    /// Opens a container. `name` only appears in error messages.
    public init(bytes: UnsafeRawBufferPointer, name: String) throws {
        guard bytes.count > 0 else { throw AvroError(message: "empty file") }
        buffer = .allocate(byteCount: bytes.count, alignment: 16)
        buffer.copyMemory(from: bytes)
        guard let file = fmemopen(buffer.baseAddress, bytes.count, "rb") else {
            buffer.deallocate()
            throw AvroError(message: "cannot open in-memory stream")
        }
        var reader: avro_file_reader_t?
        guard avro_file_reader_fp(file, name, 1, &reader) == 0, let reader else {
            let error = avroError("not an Avro container file")
            buffer.deallocate()
            throw error
        }
        self.reader = reader
        writerSchema = AvroSchema(retaining: avro_file_reader_get_writer_schema(reader))
    }

    deinit {
        if hasValue { avro_value_decref(&value) }
        if let iface { cavro_value_decref_iface(iface) }
        if let reader { avro_file_reader_close(reader) }
        buffer.deallocate()
    }

    /// The next record, or nil at the end of the file. Throws when the data is damaged
    /// (a truncated block, a bad sync marker, a value that does not match the schema).
    public func next() throws -> AvroValue? {
        guard let reader else { return nil }
        if !hasValue {
            guard let iface = avro_generic_class_from_schema(writerSchema.raw) else {
                throw avroError("cannot build a reader for the writer schema")
            }
            self.iface = iface
            guard avro_generic_value_new(iface, &value) == 0 else { throw avroError("cannot allocate a record") }
            hasValue = true
        } else {
            _ = cavro_value_reset(&value)
        }
        let status = avro_file_reader_read_value(reader, &value)
        if status == EOF { return nil }
        if status != 0 { throw avroError("damaged Avro data") }
        return AvroValue(raw: value)
    }
}
