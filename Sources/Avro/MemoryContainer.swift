import CAvro
import Foundation

/// Writes an Avro object container file into memory with Avro C's own file writer, on a
/// `FILE` from `open_memstream`, so the bytes are exactly what a file on disk would hold.
public enum MemoryContainer {
    /// A container holding the single record `value` of `schema` (no compression).
    public static func bytes(schema: AvroSchema, value: AvroValue) throws -> [UInt8] {
        let stream = try MemoryStream()
        var raw = value.raw
        var size = 0
        _ = avro_value_sizeof(&raw, &size)
        // A block must hold the whole record; the header's schema is written separately.
        let blockSize = max(size + 4096, 64 * 1024)
        var writer: avro_file_writer_t?
        // should_close 0: the stream stays ours, closed once by MemoryStream.
        guard avro_file_writer_create_with_codec_fp(stream.file, "memory", 0, schema.raw, &writer, "null", blockSize) == 0,
              let writer else {
            throw avroError("cannot start an Avro container in memory")
        }
        let appended = avro_file_writer_append_value(writer, &raw)
        let closed = avro_file_writer_close(writer)
        guard appended == 0 else { throw avroError("cannot write the record") }
        guard closed == 0 else { throw avroError("cannot finish the Avro container") }
        return try stream.finish()
    }
}

/// A growing in-memory `FILE` (`open_memstream`); owns the stream and its buffer.
private final class MemoryStream {
    // open_memstream keeps these two addresses and updates them on every flush, so they
    // live in memory of their own rather than in Swift properties (whose address `&` only
    // lends for the length of one call).
    private let buffer = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 1)
    private let size = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    private(set) var file: UnsafeMutablePointer<FILE>?

    init() throws {
        buffer.initialize(to: nil)
        size.initialize(to: 0)
        file = open_memstream(buffer, size)
        guard file != nil else { throw AvroError(message: "cannot open a memory stream") }
    }

    /// Closes the stream and returns what was written to it.
    func finish() throws -> [UInt8] {
        if let file {
            self.file = nil
            guard fclose(file) == 0 else { throw AvroError(message: "cannot flush the memory stream") }
        }
        guard let bytes = buffer.pointee else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: size.pointee))
    }

    deinit {
        if let file { fclose(file) }
        free(buffer.pointee)
        buffer.deallocate()
        size.deallocate()
    }
}

extension MemoryContainer {
    /// A container holding the single record `value` of `schema`, with the schema's own text
    /// (`AvroSchema.definition`) in its header: Avro C's writer would put its own JSON there,
    /// without the attributes it does not use (`logicalType`), and a reader would then decode
    /// a timestamp-micros field as a plain long. The header and block are laid out as the Avro
    /// specification says; the datum is encoded by Avro C.
    public static func bytes(keepingSchemaText schema: AvroSchema, value: AvroValue) throws -> [UInt8] {
        var raw = value.raw
        var size = 0
        _ = avro_value_sizeof(&raw, &size)
        var datum = [UInt8](repeating: 0, count: size)
        let written = datum.withUnsafeMutableBufferPointer { buffer -> Int32 in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                guard let writer = avro_writer_memory(chars.baseAddress, Int64(chars.count)) else { return -1 }
                defer { avro_writer_free(writer) }
                return avro_value_write(writer, &raw)
            }
        }
        guard written == 0 else { throw avroError("cannot write the record") }
        var sync = [UInt8](repeating: 0, count: 16)
        for i in sync.indices { sync[i] = UInt8.random(in: 0...255) }
        var out = ContainerHeader.magic
        out += long(2)
        for (key, text) in [("avro.schema", Array(schema.definition.utf8)), ("avro.codec", Array("null".utf8))] {
            out += long(key.utf8.count) + Array(key.utf8) + long(text.count) + text
        }
        out += long(0) + sync
        out += long(1) + long(datum.count) + datum + sync
        return out
    }

    /// An Avro long: zig-zag, then base-128 varint.
    private static func long(_ value: Int) -> [UInt8] {
        var n = UInt64(bitPattern: Int64(value) << 1 ^ Int64(value) >> 63)
        var bytes: [UInt8] = []
        repeat {
            let low = UInt8(n & 0x7F)
            n >>= 7
            bytes.append(n == 0 ? low : low | 0x80)
        } while n != 0
        return bytes
    }
}
