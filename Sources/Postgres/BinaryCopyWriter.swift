/// Builds PostgreSQL's binary COPY format (`COPY ... FROM STDIN (FORMAT binary)`).
///
/// Binary COPY sends numbers as their IEEE/two's-complement bytes: no text formatting
/// on our side and no parsing on the server's, which is what makes bulk loading cheap.
/// Layout: a signature header, then per row a 16-bit field count and per field a 32-bit
/// length (−1 for NULL) followed by the value's bytes, all big-endian; a −1 trailer ends it.
public struct BinaryCopyWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// The 19-byte file header that must open every binary COPY stream.
    public static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    /// The trailer that ends the stream.
    public static let trailer: [UInt8] = [0xFF, 0xFF]

    public var isEmpty: Bool { bytes.isEmpty }

    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    public mutating func append(_ other: BinaryCopyWriter) { bytes.append(contentsOf: other.bytes) }

    /// Starts a row of `fieldCount` fields.
    public mutating func beginRow(fieldCount: Int) { appendBigEndian(Int16(fieldCount)) }

    public mutating func null() { appendBigEndian(Int32(-1)) }

    public mutating func int16(_ v: Int16) { appendBigEndian(Int32(2)); appendBigEndian(v) }
    public mutating func int32(_ v: Int32) { appendBigEndian(Int32(4)); appendBigEndian(v) }
    public mutating func int64(_ v: Int64) { appendBigEndian(Int32(8)); appendBigEndian(v) }
    public mutating func float32(_ v: Float) { appendBigEndian(Int32(4)); appendBigEndian(v.bitPattern) }
    public mutating func float64(_ v: Double) { appendBigEndian(Int32(8)); appendBigEndian(v.bitPattern) }
    public mutating func bool(_ v: Bool) { appendBigEndian(Int32(1)); bytes.append(v ? 1 : 0) }

    /// A text or bytea value: the raw bytes (UTF-8 for text).
    public mutating func raw(_ value: UnsafeRawBufferPointer) {
        appendBigEndian(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { raw(UnsafeRawBufferPointer($0)) }
    }

    /// A jsonb value: binary jsonb is a version byte (1) then the JSON text.
    public mutating func jsonb(_ json: String) {
        var json = json
        json.withUTF8 { utf8 in
            appendBigEndian(Int32(utf8.count + 1))
            bytes.append(1)
            bytes.append(contentsOf: utf8)
        }
    }

    @inline(__always)
    private mutating func appendBigEndian<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }
}

extension Connection {
    /// Runs a binary `COPY table (columns) FROM STDIN`; `rows` are encoded rows (no header or
    /// trailer), sent one after another without being joined in memory first.
    @discardableResult
    public func copyBinary<Rows: Sequence>(into table: String, columns: [String], rows: Rows) throws -> Int
    where Rows.Element: Collection<UInt8> {
        let columnList = SQL.joined(columns.map(SQL.identifier), separator: ", ")
        try beginCopy("COPY \(SQL.identifier(table)) (\(columnList)) FROM STDIN (FORMAT binary)")
        do {
            try BinaryCopyWriter.header.withUnsafeBytes { try putCopyData($0) }
            for row in rows {
                try row.withContiguousStorageIfAvailable { try putCopyData(UnsafeRawBufferPointer($0)) }
                    ?? Array(row).withUnsafeBytes { try putCopyData($0) }
            }
            try BinaryCopyWriter.trailer.withUnsafeBytes { try putCopyData($0) }
        } catch {
            _ = try? endCopy()
            throw error
        }
        return try endCopy()
    }
}
