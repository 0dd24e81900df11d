import CAvro
import Foundation
import Gzip

/// Reads the records of one Avro object container file held in memory, each with the writer
/// schema from the file's own header.
///
/// The container framing is decoded by Avro C too, with the header schema the Avro
/// specification gives; only the writer schema is looked up in a `SchemaCache` instead of
/// being parsed again for every file (Avro C's own file reader parses it each time, which
/// was most of the cost of reading a ZTF packet). Codecs: null and deflate.
///
/// `next()` returns a view of the current record, valid until the next call, until the
/// reader is released, or (with a shared cache) until another reader of the same schema reads.
public final class ContainerReader {
    private let data: [UInt8]
    private let record: GenericValue
    private let sync: [UInt8]
    private let codec: String
    /// Where the next block starts in `data`.
    private var offset: Int
    /// The current block's records, in memory this reader owns for as long as Avro C reads it.
    private var block: UnsafeMutableRawBufferPointer?
    private var blockReader: avro_reader_t?
    private var recordsLeftInBlock = 0

    /// The schema the file was written with.
    public var writerSchema: AvroSchema { record.schema }

    /// Opens a container held in `bytes` (kept, not copied). `name` only appears in error messages.
    public init(bytes: [UInt8], name: String, cache: SchemaCache? = nil) throws {
        guard bytes.count > 0 else { throw AvroError(message: "empty file") }
        guard bytes.starts(with: ContainerHeader.magic) else {
            throw AvroError(message: "not an Avro container file: no Avro magic number")
        }
        data = bytes
        let header = try data.withUnsafeBytes { try ContainerHeader.decode($0) }
        guard let schemaJSON = header.metadata["avro.schema"] else {
            throw AvroError(message: "truncated or damaged Avro container: no avro.schema in the header")
        }
        codec = header.metadata["avro.codec"].map { String(decoding: $0, as: UTF8.self) } ?? "null"
        guard codec == "null" || codec == "deflate" else {
            throw AvroError(message: "unsupported Avro codec \(codec)")
        }
        record = try (cache ?? SchemaCache(capacity: 1)).value(forSchemaJSON: schemaJSON)
        sync = header.sync
        offset = header.size
    }

    deinit { releaseBlock() }

    /// The next record, or nil at the end of the file. Throws when the data is damaged
    /// (a truncated block, a bad sync marker, a value that does not match the schema).
    public func next() throws -> AvroValue? {
        while recordsLeftInBlock == 0 {
            guard offset < data.count else { return nil }
            try openNextBlock()
        }
        recordsLeftInBlock -= 1
        _ = try record.read(from: blockReader!)
        return record.view
    }

    /// A block: record count, byte size, the records, the file's sync marker.
    private func openNextBlock() throws {
        let (count, countSize) = try readLong(at: offset)
        let (size, sizeSize) = try readLong(at: offset + countSize)
        let start = offset + countSize + sizeSize
        guard count >= 0, size >= 0, start + size + 16 <= data.count else {
            throw AvroError(message: "truncated or damaged Avro container: block at byte \(offset) runs past the end")
        }
        guard Array(data[(start + size)..<(start + size + 16)]) == sync else {
            throw AvroError(message: "truncated or damaged Avro container: bad sync marker after block at byte \(offset)")
        }
        let inflated = codec == "deflate"
            ? try data.withUnsafeBytes { try inflateRaw(UnsafeRawBufferPointer(rebasing: $0[start..<(start + size)]), limit: 64 << 20) } : nil
        releaseBlock()
        // Avro C keeps the address it is given and reads from it on every `next()`: the bytes
        // go into memory of ours, freed only after the reader that points into it.
        let length = inflated?.count ?? size
        let owned = UnsafeMutableRawBufferPointer.allocate(byteCount: max(length, 1), alignment: 8)
        if let inflated {
            owned.copyBytes(from: inflated)
        } else {
            data.withUnsafeBytes { owned.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + size)])) }
        }
        block = owned
        blockReader = avro_reader_memory(owned.baseAddress!.assumingMemoryBound(to: CChar.self), Int64(length))
        recordsLeftInBlock = count
        offset = start + size + 16
    }

    /// Frees the current block's reader, then the memory it reads.
    private func releaseBlock() {
        if let blockReader { avro_reader_free(blockReader) }
        blockReader = nil
        block?.deallocate()
        block = nil
    }

    /// An Avro long (zig-zag varint) at `position`, and its size in bytes, decoded by Avro C.
    private func readLong(at position: Int) throws -> (Int, Int) {
        guard position < data.count else {
            throw AvroError(message: "truncated or damaged Avro container: ends inside a block header")
        }
        return try data.withUnsafeBytes { all in
            let rest = UnsafeRawBufferPointer(rebasing: all[position...])
            let reader = avro_reader_memory(rest.baseAddress!.assumingMemoryBound(to: CChar.self), Int64(rest.count))!
            defer { avro_reader_free(reader) }
            let size = try ContainerHeader.long.read(from: reader)
            return (Int(ContainerHeader.long.view.int64), size)
        }
    }
}

/// The container header, decoded with the schema the Avro specification defines for it.
struct ContainerHeader {
    static let magic: [UInt8] = Array("Obj".utf8) + [1]

    let metadata: [String: [UInt8]]
    let sync: [UInt8]
    /// Encoded size: where the first block starts.
    let size: Int

    private static let schema = try! AvroSchema(json: """
        {"type": "record", "name": "org.apache.avro.file.Header", "fields": [
          {"name": "magic", "type": {"type": "fixed", "name": "Magic", "size": 4}},
          {"name": "meta", "type": {"type": "map", "values": "bytes"}},
          {"name": "sync", "type": {"type": "fixed", "name": "Sync", "size": 16}}]}
        """)

    // Decoding state is per thread: ingest decodes on its own thread, tests on theirs.
    private static var value: GenericValue {
        let key = "alertdb.avro.header"
        if let value = Thread.current.threadDictionary[key] as? GenericValue { return value }
        let value = try! GenericValue(schema: schema)
        Thread.current.threadDictionary[key] = value
        return value
    }

    static var long: GenericValue {
        let key = "alertdb.avro.long"
        if let value = Thread.current.threadDictionary[key] as? GenericValue { return value }
        let value = try! GenericValue(schema: try! AvroSchema(json: "\"long\""))
        Thread.current.threadDictionary[key] = value
        return value
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> ContainerHeader {
        let reader = avro_reader_memory(bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int64(bytes.count))!
        defer { avro_reader_free(reader) }
        let header = value
        let size: Int
        do {
            size = try header.read(from: reader)
        } catch {
            throw AvroError(message: "truncated or damaged Avro container: unreadable header")
        }
        let view = header.view
        let meta = view.child(1)
        var metadata: [String: [UInt8]] = [:]
        for i in 0..<meta.count {
            let (key, value) = meta.namedChild(i)
            if let key { metadata[key] = Array(value.bytes) }
        }
        return ContainerHeader(metadata: metadata, sync: Array(view.child(2).bytes), size: size)
    }
}
