import CPostgres
import Foundation

/// The rows a statement returned. Values are read by column name into typed Swift values
/// (`try row.decode("jd", as: Double.self)`), with an error, not a crash, when the column is
/// missing, NULL where a value is required, or of a type that does not convert.
public final class QueryResult {
    private let result: OpaquePointer
    /// Whether the values are in PostgreSQL's text or binary form (one form for all columns).
    public let format: PostgresParameter.Format
    /// The columns' names and types, in order.
    public let columns: [Column]
    private let columnIndex: [String: Int]

    /// One column of the result.
    public struct Column: Sendable {
        public let name: String
        public let type: PostgresType
    }

    init(_ result: OpaquePointer, format: PostgresParameter.Format) {
        self.result = result
        self.format = format
        columns = (0..<Int(PQnfields(result))).map { column in
            Column(name: String(cString: PQfname(result, Int32(column))), type: PostgresType(oid: PQftype(result, Int32(column))))
        }
        // The first of two columns of one name wins, as `SELECT c.*, ...` puts the table's first.
        columnIndex = Dictionary(columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    deinit { PQclear(result) }

    public var rowCount: Int { Int(PQntuples(result)) }

    /// Rows changed by an INSERT/UPDATE/DELETE/COPY.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    /// The position of the column `name`, or nil when the result has none.
    public func column(named name: String) -> Int? { columnIndex[name] }

    public subscript(row: Int) -> Row { Row(result: self, index: row) }

    /// Every row, in order.
    public var rows: [Row] { (0..<rowCount).map { Row(result: self, index: $0) } }

    /// The cell at (row, column): valid while this result lives, so used only inside decoding.
    @usableFromInline
    func cell(_ row: Int, _ column: Int) -> PostgresCell {
        let r = Int32(row), c = Int32(column)
        let value: UnsafeRawBufferPointer?
        if PQgetisnull(result, r, c) == 1 {
            value = nil
        } else {
            value = UnsafeRawBufferPointer(start: PQgetvalue(result, r, c), count: Int(PQgetlength(result, r, c)))
        }
        return PostgresCell(type: columns[column].type, format: format, bytes: value)
    }

    /// The value at (row, column) as libpq holds it, nil for NULL, lent to `body` only (the
    /// bytes live as long as this result): for copying values on without reading them.
    public func withBytes<T>(_ row: Int, _ column: Int, _ body: (UnsafeRawBufferPointer?) throws -> T) throws -> T {
        guard row >= 0, row < rowCount, column >= 0, column < columns.count else {
            throw PostgresDecodingError(column: "#\(column)", reason: "no row \(row), column \(column) in the result")
        }
        return try body(cell(row, column).bytes)
    }

    /// Whether the value at (row, column) is NULL.
    public func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(result, Int32(row), Int32(column)) == 1 }

    /// The value at (row, column) as `type`; errors as `Row.decode` does. Inlinable, so that a
    /// caller reading thousands of cells gets it specialized for each type.
    @inlinable
    public func decode<Value: PostgresDecodable>(_ row: Int, _ column: Int, as type: Value.Type = Value.self) throws -> Value {
        guard row >= 0, row < rowCount, column >= 0, column < columns.count else {
            throw PostgresDecodingError(column: "#\(column)", reason: "no row \(row), column \(column) in the result")
        }
        do {
            return try Value.decode(from: cell(row, column))
        } catch let error as PostgresDecodingError {
            throw PostgresDecodingError(column: columns[column].name, reason: error.reason)
        }
    }
}

/// One row of a `QueryResult`.
public struct Row {
    public let result: QueryResult
    public let index: Int

    /// The value of the column `name` as `type` (an Optional type reads NULL as nil).
    @inlinable
    public func decode<Value: PostgresDecodable>(_ name: String, as type: Value.Type = Value.self) throws -> Value {
        guard let column = result.column(named: name) else {
            throw PostgresDecodingError(column: name, reason: "the result has no column \(name)")
        }
        return try result.decode(index, column, as: type)
    }

    /// The value of the column at `column` as `type`.
    @inlinable
    public func decode<Value: PostgresDecodable>(_ column: Int, as type: Value.Type = Value.self) throws -> Value {
        try result.decode(index, column, as: type)
    }
}

/// A column that is missing, NULL where a value is needed, or not convertible to the type asked.
public struct PostgresDecodingError: Error, CustomStringConvertible, Sendable {
    public let column: String
    public let reason: String

    @usableFromInline
    init(column: String, reason: String) {
        self.column = column
        self.reason = reason
    }

    public var description: String { "column \(column): \(reason)" }
}

/// One value of a result, as libpq holds it: NULL (`bytes` nil) or its text or binary form.
/// Its errors name no column; `QueryResult.decode` adds the name.
public struct PostgresCell {
    public let type: PostgresType
    public let format: PostgresParameter.Format
    public let bytes: UnsafeRawBufferPointer?

    func mismatch(_ swiftType: Any.Type) -> PostgresDecodingError {
        PostgresDecodingError(column: "", reason: "a \(type) in \(format) form does not convert to \(swiftType)")
    }

    /// The value, for a type that has one; NULL is an error.
    func value(for swiftType: Any.Type) throws -> UnsafeRawBufferPointer {
        guard let bytes else { throw PostgresDecodingError(column: "", reason: "NULL where a \(swiftType) is needed") }
        return bytes
    }

    /// The text form parsed by `parse` (C's strtod or strtoll, on libpq's NUL-terminated copy).
    func parseText<T>(_ swiftType: Any.Type, _ parse: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) throws -> T {
        let bytes = try value(for: swiftType)
        guard let start = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count > 0 else { throw mismatch(swiftType) }
        var end: UnsafeMutablePointer<CChar>?
        errno = 0
        let parsed = parse(start, &end)
        guard errno == 0, let end, end == UnsafeMutablePointer(mutating: start + bytes.count) else { throw mismatch(swiftType) }
        return parsed
    }

    /// The binary form as a big-endian integer of the cell's own width.
    func bigEndianInteger(_ swiftType: Any.Type) throws -> Int64 {
        let bytes = try value(for: swiftType)
        switch bytes.count {
        case 2: return Int64(Int16(bigEndian: bytes.loadUnaligned(as: Int16.self)))
        case 4: return Int64(Int32(bigEndian: bytes.loadUnaligned(as: Int32.self)))
        case 8: return Int64(bigEndian: bytes.loadUnaligned(as: Int64.self))
        default: throw mismatch(swiftType)
        }
    }
}

/// A Swift type a result's value can be read as.
public protocol PostgresDecodable {
    static func decode(from cell: PostgresCell) throws -> Self
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws -> Wrapped? {
        cell.bytes == nil ? nil : try Wrapped.decode(from: cell)
    }
}

extension Int64: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws -> Int64 {
        guard cell.type.isInteger || cell.type == .oidType else { throw cell.mismatch(Int64.self) }
        if cell.format == .binary { return try cell.bigEndianInteger(Int64.self) }
        return Int64(try cell.parseText(Int64.self) { strtoll($0, $1, 10) })
    }
}

extension Int: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws -> Int { Int(try Int64.decode(from: cell)) }
}

extension Int32: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws -> Int32 {
        guard let value = Int32(exactly: try Int64.decode(from: cell)) else { throw cell.mismatch(Int32.self) }
        return value
    }
}

extension Double: PostgresDecodable {
    /// Floating point and integer columns; numeric in text form. NaN and ±Infinity read as such.
    public static func decode(from cell: PostgresCell) throws -> Double {
        if cell.type.isInteger { return Double(try Int64.decode(from: cell)) }
        guard cell.type.isFloatingPoint || (cell.type == .numeric && cell.format == .text) else { throw cell.mismatch(Double.self) }
        if cell.format == .text {
            return try cell.parseText(Double.self) { text, end in
                let value = strtod(text, end)
                // glibc reports a subnormal number (5e-324) as an underflow, though it reads it
                // exactly; PostgreSQL stores and prints them.
                if errno == ERANGE, value.isSubnormal { errno = 0 }
                return value
            }
        }
        let bits = try cell.bigEndianInteger(Double.self)
        return cell.type == .float4 ? Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits))) : Double(bitPattern: UInt64(bitPattern: bits))
    }
}

extension Bool: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws -> Bool {
        guard cell.type == .bool else { throw cell.mismatch(Bool.self) }
        let bytes = try cell.value(for: Bool.self)
        guard bytes.count >= 1 else { throw cell.mismatch(Bool.self) }
        return cell.format == .binary ? bytes[0] != 0 : bytes[0] == UInt8(ascii: "t")
    }
}

extension String: PostgresDecodable {
    /// Any value in text form (as PostgreSQL prints it); in binary form, text columns only.
    public static func decode(from cell: PostgresCell) throws -> String {
        guard cell.format == .text || cell.type.isText else { throw cell.mismatch(String.self) }
        return String(decoding: try cell.value(for: String.self), as: UTF8.self)
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    /// bytea (and text, as its UTF-8 bytes) in binary form: the bytes as stored.
    public static func decode(from cell: PostgresCell) throws -> [UInt8] {
        guard cell.format == .binary, cell.type == .bytea || cell.type.isText else { throw cell.mismatch([UInt8].self) }
        return Array(try cell.value(for: [UInt8].self))
    }
}
