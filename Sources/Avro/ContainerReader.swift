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
    /// Where Avro C will read next in the block, for checking each record before it does.
    private var bounds: DatumBounds?
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
        // The record is walked first: Avro C then reads the same bytes, every size in them
        // known to fit in the block.
        try bounds!.check(record.shape)
        _ = try record.read(from: blockReader!)
        return record.view
    }

    /// A block: record count, byte size, the records, the file's sync marker.
    ///
    /// Every number is checked against what is left of the file before it is added to
    /// anything, so no claimed size can overflow an offset (a size of 2^63 - 20 once did).
    private func openNextBlock() throws {
        let at = offset
        let (count, countSize) = try readLong(at: at)
        let (size, sizeSize) = try readLong(at: at + countSize)
        let start = at + countSize + sizeSize
        guard count >= 0, size >= 0, start <= data.count, size <= data.count - start, data.count - start - size >= 16 else {
            throw AvroError(message: "truncated or damaged Avro container: block at byte \(at) runs past the end")
        }
        guard size <= AvroLimits.maximumBlockSize else {
            throw AvroError(message: "Avro block at byte \(at) is \(size) bytes, more than the \(AvroLimits.maximumBlockSize) allowed")
        }
        let end = start + size
        guard data[end..<(end + 16)].elementsEqual(sync) else {
            throw AvroError(message: "truncated or damaged Avro container: bad sync marker after block at byte \(at)")
        }
        var inflated: [UInt8]?
        if codec == "deflate" {
            do {
                inflated = try data.withUnsafeBytes {
                    try inflateRaw(UnsafeRawBufferPointer(rebasing: $0[start..<end]), limit: AvroLimits.maximumBlockSize)
                }
            } catch let error as GzipError where error.isTooLarge {
                throw AvroError(message: "Avro block at byte \(at) inflates to more than \(AvroLimits.maximumBlockSize) bytes")
            }
        }
        let length = inflated?.count ?? size
        // Each record takes at least the schema's smallest encoding; a count that cannot fit
        // is damage, found before any record is read.
        let smallest = record.shape.minimumSize
        guard smallest > 0 ? count <= length / smallest : count <= AvroLimits.maximumItems else {
            throw AvroError(message: "truncated or damaged Avro container: block at byte \(at) claims \(count) records in \(length) bytes")
        }
        releaseBlock()
        // Avro C keeps the address it is given and reads from it on every `next()`: the bytes
        // go into memory of ours, freed only after the reader that points into it.
        let owned = UnsafeMutableRawBufferPointer.allocate(byteCount: max(length, 1), alignment: 8)
        if let inflated {
            owned.copyBytes(from: inflated)
        } else {
            data.withUnsafeBytes { owned.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
        }
        block = owned
        bounds = DatumBounds(UnsafeRawBufferPointer(rebasing: owned[0..<length]))
        blockReader = avro_reader_memory(owned.baseAddress!.assumingMemoryBound(to: CChar.self), Int64(length))
        recordsLeftInBlock = count
        offset = end + 16
    }

    /// Frees the current block's reader, then the memory it reads.
    private func releaseBlock() {
        if let blockReader { avro_reader_free(blockReader) }
        blockReader = nil
        bounds = nil
        block?.deallocate()
        block = nil
    }

    /// An Avro long (zig-zag varint) at `position`, and its size in bytes, decoded by Avro C.
    private func readLong(at position: Int) throws -> (Int, Int) {
        guard position >= 0, position < data.count else {
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
            // Avro C would allocate whatever a metadata value claims: check the sizes first.
            var bounds = DatumBounds(bytes)
            try bounds.check(header.shape)
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
