import CPostgres
import Foundation

/// One libpq connection. Not thread-safe: use it from one thread at a time.
public final class Connection {
    private let conn: OpaquePointer
    /// Statements `executeWithGenericPlan` has prepared on this connection: name by text.
    private var prepared: [String: String] = [:]
    /// Whether this connection's `plan_cache_mode` was last set to force generic plans.
    private var forcingGenericPlans = false
    /// Prepared statements kept at most; past this they are all deallocated and prepared anew.
    static let preparedLimit = 200

    /// Connects with a libpq connection string or URL. An empty string means
    /// "use the standard libpq environment" (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, ...).
    public init(_ conninfo: String = "") throws {
        guard let conn = PQconnectdb(conninfo) else {
            throw PostgresError(message: "out of memory while connecting", sqlState: nil)
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn)).trimmingTrailingWhitespace()
            PQfinish(conn)
            throw PostgresError(message: "cannot connect to PostgreSQL: \(message)", sqlState: .unableToConnect)
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

    /// Runs one statement and returns its rows, in text form or, with `.binary`, in binary
    /// form (`bytea` as its bytes, numbers as their bytes). Without parameters and in text
    /// form, a statement may be several separated by `;` (as a migration is).
    @discardableResult
    public func execute(_ sql: SQL, resultFormat: PostgresParameter.Format = .text) throws -> QueryResult {
        try planWithGenericPlans(false)
        let parameters = sql.parameters
        let result: OpaquePointer?
        if parameters.isEmpty && resultFormat == .text {
            result = PQexec(conn, sql.text)
        } else {
            result = try withParameterArrays(parameters) { types, values, lengths, formats in
                PQexecParams(conn, sql.text, Int32(parameters.count), types, values, lengths, formats, resultFormat.rawValue)
            }
        }
        return try check(result, format: resultFormat)
    }

    /// Runs `sql` as a statement this connection prepares once and then executes with one
    /// generic plan, whatever its parameters' values. For statements whose planning costs far
    /// more than their running: q3c's cone over the partitioned tables is planned partition by
    /// partition, 15 to 50 ms for eight months, to run in 2 to 5 ms; its generic plan is the
    /// same, as the cone's index conditions take their values when the statement runs.
    ///
    /// `plan_cache_mode` is a setting of the session, read when a prepared statement runs:
    /// it is set to force generic plans here and back to PostgreSQL's own choice before any
    /// other statement, one round trip at each change. A transaction rolled back may undo
    /// such a change unseen; that costs a plan's quality until the next change, never a result.
    /// A statement without parameters needs no change: PostgreSQL plans it generically anyway
    /// (there are no values to plan with), so preparing it is all it takes.
    @discardableResult
    public func executeWithGenericPlan(_ sql: SQL, resultFormat: PostgresParameter.Format = .text) throws -> QueryResult {
        let parameters = sql.parameters
        let text = sql.text
        let name: String
        if let known = prepared[text] {
            name = known
        } else {
            if prepared.count >= Self.preparedLimit {
                try planWithGenericPlans(false)
                try execute("DEALLOCATE ALL")
                prepared.removeAll()
            }
            name = "alertdb_generic_\(prepared.count + 1)"
            let types = parameters.map { $0.type.oid }
            let result = PQprepare(conn, name, text, Int32(parameters.count), types)
            _ = try check(result, format: .text)
            prepared[text] = name
        }
        if !parameters.isEmpty { try planWithGenericPlans(true) }
        let result = try withParameterArrays(parameters) { _, values, lengths, formats in
            PQexecPrepared(conn, name, Int32(parameters.count), values, lengths, formats, resultFormat.rawValue)
        }
        return try check(result, format: resultFormat)
    }

    /// Sets `plan_cache_mode` for what comes next, when it is not so already.
    private func planWithGenericPlans(_ generic: Bool) throws {
        guard generic != forcingGenericPlans else { return }
        let result = PQexec(conn, generic ? "SET plan_cache_mode = force_generic_plan" : "RESET plan_cache_mode")
        _ = try check(result, format: .text)
        forcingGenericPlans = generic
    }

    /// Starts `COPY ... FROM STDIN`; follow with `putCopyData` and `endCopy`.
    public func beginCopy(_ sql: SQL) throws {
        let result = try withParameterArrays(sql.parameters) { types, values, lengths, formats in
            PQexecParams(conn, sql.text, Int32(sql.parameters.count), types, values, lengths, formats, 0)
        }
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

    // MARK: - Parameters, results and errors

    /// libpq's four parallel arrays for `parameters`, valid during `body`. A value in text
    /// form travels as a C string, so one holding a NUL byte (which would end it early) is
    /// refused here, as the server refuses NUL in text.
    private func withParameterArrays<R>(
        _ parameters: [PostgresParameter],
        _ body: ([Oid], [UnsafePointer<CChar>?], [Int32], [Int32]) -> R
    ) throws -> R {
        var storage: [UnsafeMutablePointer<CChar>?] = []
        storage.reserveCapacity(parameters.count)
        defer { storage.forEach { free($0) } }
        for parameter in parameters {
            guard let bytes = parameter.bytes else {
                storage.append(nil)
                continue
            }
            if parameter.format == .text, bytes.contains(0) {
                throw PostgresError(message: "invalid byte sequence: a text value holds a NUL byte", sqlState: .characterNotInRepertoire)
            }
            let copy = malloc(bytes.count + 1)!.assumingMemoryBound(to: CChar.self)
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { copy.initialize(from: $0.baseAddress!, count: bytes.count) }
            }
            copy[bytes.count] = 0
            storage.append(copy)
        }
        return body(parameters.map { $0.type.oid }, storage.map { UnsafePointer($0) },
                    parameters.map { Int32($0.bytes?.count ?? 0) }, parameters.map { $0.format.rawValue })
    }

    private func check(_ result: OpaquePointer?, format: PostgresParameter.Format) throws -> QueryResult {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return QueryResult(result!, format: format)
        default:
            defer { PQclear(result) }
            throw error(from: result)
        }
    }

    private func error(from result: OpaquePointer?) -> PostgresError {
        guard let result else { return lastError() }
        let message = String(cString: PQresultErrorMessage(result)).trimmingTrailingWhitespace()
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { SQLState(String(cString: $0)) }
        let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
        return PostgresError(message: message.isEmpty ? lastError().message : message, sqlState: state, primary: primary)
    }

    private func lastError() -> PostgresError {
        let message = String(cString: PQerrorMessage(conn)).trimmingTrailingWhitespace()
        let broken = PQstatus(conn) != CONNECTION_OK
        return PostgresError(message: message, sqlState: broken ? .connectionFailure : .internalError)
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
