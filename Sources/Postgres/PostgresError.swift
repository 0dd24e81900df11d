/// A failure reported by libpq or the server, with the SQLSTATE when the server sent one.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// The SQLSTATE (e.g. `.uniqueViolation`), when known.
    public let sqlState: SQLState?
    /// The server's own words, without libpq's "ERROR:" before them or the detail lines after
    /// (`index row requires 20016 bytes, maximum size is 8191`), when the server sent any.
    public let primary: String?

    public init(message: String, sqlState: SQLState?, primary: String? = nil) {
        self.message = message
        self.sqlState = sqlState
        self.primary = primary
    }

    public var description: String { message }

    /// The message's first line: libpq adds lines of guesses ("This probably means the server
    /// terminated abnormally ...") that are noise in a log line or a command's last words.
    public var summary: String {
        String(message.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
            .trimmingCharacters(in: .whitespaces)
    }

    /// True for errors that mean "the server is gone", as opposed to a bad statement.
    public var isConnectionFailure: Bool { sqlState?.meansConnectionLost ?? true }
}

/// A SQLSTATE error code: five characters, the first two naming the class
/// (PostgreSQL's Appendix A). The codes alertdb acts on have names here.
public struct SQLState: Hashable, Sendable, CustomStringConvertible {
    public let code: String

    public init(_ code: String) { self.code = code }

    public var description: String { code }
    /// The class: the first two characters (`22` data exception, `08` connection exception, ...).
    public var errorClass: Substring { code.prefix(2) }

    public static let uniqueViolation = SQLState("23505")
    public static let deadlockDetected = SQLState("40P01")
    public static let serializationFailure = SQLState("40001")
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let crashShutdown = SQLState("57P02")
    public static let cannotConnectNow = SQLState("57P03")
    public static let connectionFailure = SQLState("08006")
    public static let unableToConnect = SQLState("08001")
    public static let characterNotInRepertoire = SQLState("22021")
    public static let readOnlySQLTransaction = SQLState("25006")
    public static let internalError = SQLState("XX000")
    public static let undefinedTable = SQLState("42P01")
    public static let undefinedColumn = SQLState("42703")

    /// Class 22: a value the statement could not use (out of range, malformed, ...).
    public var isDataException: Bool { errorClass == "22" }

    /// The statement's values are what failed, not the server or another session: a value out
    /// of range or malformed (22), a constraint other than a unique key, which a concurrent
    /// writer can break (23), or a limit such as an index entry's size (54). The same values
    /// fail again however often they are sent.
    public var refusesValues: Bool { isDataException || errorClass == "54" || (errorClass == "23" && self != .uniqueViolation) }

    /// The connection is gone or the server is shutting down: worth reconnecting, not a bad statement.
    public var meansConnectionLost: Bool {
        errorClass == "08" || self == .adminShutdown || self == .crashShutdown || self == .cannotConnectNow
    }
}
