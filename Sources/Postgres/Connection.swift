import CPostgres
import Foundation

/// A failure reported by libpq or the server, with the SQLSTATE when the server sent one.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// Five-character SQLSTATE (e.g. `23505` for a unique violation), when known.
    public let sqlState: String?

    public var description: String { message }

    /// True for errors that mean "the server is gone", as opposed to a bad statement.
    public var isConnectionFailure: Bool { sqlState == nil || sqlState!.hasPrefix("08") || sqlState == "57P01" }
}

/// One libpq connection. Not thread-safe: use it from one thread at a time.
public final class Connection {
    private let conn: OpaquePointer

    /// Connects with a libpq connection string or URL. An empty string means
    /// "use the standard libpq environment" (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, ...).
    public init(_ conninfo: String = "") throws {
        guard let conn = PQconnectdb(conninfo) else {
            throw PostgresError(message: "out of memory while connecting", sqlState: nil)
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn)).trimmingTrailingWhitespace()
            PQfinish(conn)
            throw PostgresError(message: "cannot connect to PostgreSQL: \(message)", sqlState: "08001")
        }
        self.conn = conn
        // Warnings and notices (e.g. "relation already exists, skipping") are not for the user's terminal.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
    }

    deinit { PQfinish(conn) }

    /// Where this connection went, for messages: `host:port/dbname`.
    public var target: String {
        let host = PQhost(conn).map { String(cString: $0) } ?? "?"
        let port = PQport(conn).map { String(cString: $0) } ?? "?"
        let db = PQdb(conn).map { String(cString: $0) } ?? "?"
        return "\(host):\(port)/\(db)"
    }

    /// Runs one statement (or, without parameters, several separated by `;`) and returns its rows.
    /// Parameters are sent separately from the SQL text, as text, so they never need quoting.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws -> QueryResult {
        let result: OpaquePointer?
        if parameters.isEmpty {
            result = PQexec(conn, sql)
        } else {
            result = withCStrings(parameters) { pointers in
                PQexecParams(conn, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
            }
        }
        return try check(result)
    }

    /// Like `execute`, but asks for every column in binary format: for `bytea` the value is
    /// the raw bytes (no hex to decode), for `text` its UTF-8 bytes. Read with `QueryResult.bytes`.
    public func executeBinary(_ sql: String, _ parameters: [String?] = []) throws -> QueryResult {
        let result = withCStrings(parameters) { pointers in
            PQexecParams(conn, sql, Int32(parameters.count), nil, pointers, nil, nil, 1)
        }
        return try check(result)
    }

    /// Starts `COPY ... FROM STDIN`; follow with `putCopyData` and `endCopy`.
    public func beginCopy(_ sql: String) throws {
        let result = PQexec(conn, sql)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COPY_IN else {
            throw error(from: result)
        }
    }

    /// Sends a chunk of COPY data (any split of the stream is fine).
    public func putCopyData(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        let status = bytes.withMemoryRebound(to: CChar.self) { chars in
            PQputCopyData(conn, chars.baseAddress, Int32(chars.count))
        }
        if status != 1 { throw lastError() }
    }

    /// Ends the COPY stream and returns the number of rows the server stored.
    @discardableResult
    public func endCopy() throws -> Int {
        if PQputCopyEnd(conn, nil) != 1 { throw lastError() }
        var rows = 0
        var failure: PostgresError?
        while let result = PQgetResult(conn) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                rows = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = error(from: result)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        return rows
    }

    /// Runs `body` inside BEGIN/COMMIT, rolling back if it throws.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// A PostgreSQL array literal of `elements` (`{"a","b"}`), to pass as one parameter.
    public static func arrayLiteral<S: Sequence<String>>(_ elements: S) -> String {
        let quoted = elements.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        return "{" + quoted.joined(separator: ",") + "}"
    }

    /// Quotes an identifier for SQL text (for names that come from our own catalogue).
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - Results and errors

    private func check(_ result: OpaquePointer?) throws -> QueryResult {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return QueryResult(result!)
        default:
            defer { PQclear(result) }
            throw error(from: result)
        }
    }

    private func error(from result: OpaquePointer?) -> PostgresError {
        guard let result else { return lastError() }
        let message = String(cString: PQresultErrorMessage(result)).trimmingTrailingWhitespace()
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        return PostgresError(message: message.isEmpty ? lastError().message : message, sqlState: state)
    }

    private func lastError() -> PostgresError {
        let message = String(cString: PQerrorMessage(conn)).trimmingTrailingWhitespace()
        let broken = PQstatus(conn) != CONNECTION_OK
        return PostgresError(message: message, sqlState: broken ? "08006" : "XX000")
    }
}

/// Rows returned by a statement, as text (libpq's text format).
public final class QueryResult {
    private let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }

    public var rowCount: Int { Int(PQntuples(result)) }
    public var columnCount: Int { Int(PQnfields(result)) }

    /// Rows changed by an INSERT/UPDATE/DELETE/COPY.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    public func columnName(_ column: Int) -> String { String(cString: PQfname(result, Int32(column))) }

    /// The value at (row, column), or nil for SQL NULL.
    public subscript(row: Int, column: Int) -> String? {
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    /// A numeric value parsed straight from libpq's text, without making a String first
    /// (listing pages read thousands). Nil for NULL or text that is not a number.
    public func double(_ row: Int, _ column: Int) -> Double? {
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        guard let text = PQgetvalue(result, Int32(row), Int32(column)) else { return nil }
        var end: UnsafeMutablePointer<CChar>?
        let value = strtod(text, &end)
        return end != text && end?.pointee == 0 ? value : nil
    }

    public func int64(_ row: Int, _ column: Int) -> Int64? {
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        guard let text = PQgetvalue(result, Int32(row), Int32(column)) else { return nil }
        var end: UnsafeMutablePointer<CChar>?
        errno = 0
        let value = strtoll(text, &end, 10)
        return end != text && end?.pointee == 0 && errno == 0 ? Int64(value) : nil
    }

    public func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(result, Int32(row), Int32(column)) == 1 }

    /// The column's type, as PostgreSQL's type OID (e.g. 701 for double precision).
    public func columnType(_ column: Int) -> UInt32 { PQftype(result, Int32(column)) }

    /// The value's bytes as the server sent them (binary results: see `Connection.executeBinary`).
    public func bytes(_ row: Int, _ column: Int) -> [UInt8]? {
        if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
        let count = Int(PQgetlength(result, Int32(row), Int32(column)))
        guard let start = PQgetvalue(result, Int32(row), Int32(column)) else { return [] }
        return start.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// All rows, each as an array of optional strings.
    public var rows: [[String?]] {
        (0..<rowCount).map { r in (0..<columnCount).map { c in self[r, c] } }
    }
}

private func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let storage: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0)! } }
    defer { storage.forEach { free($0) } }
    return body(storage.map { UnsafePointer($0) })
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
