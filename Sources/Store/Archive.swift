import Model
import Postgres

/// The archive as the web service reads it: a pool of connections, the queries behind every
/// route, and failures told as `StoreError`s, so that the service above needs no SQL.
public final class Archive: Sendable {
    let pool: ConnectionPool
    private let store: AlertStore
    private let objectStore = ObjectStore()

    /// Settings of every serving connection: a statement that runs away is cancelled instead
    /// of holding a connection, and JIT compilation (100 ms and more for a large count) is off
    /// because these queries are short.
    static let servingSetup: [SQL] = ["SET statement_timeout = '10s'", "SET jit = off"]
    /// The longest a statement may run, as clients are told when one is cancelled.
    public static let statementTimeoutSeconds = 10

    /// Opens connections to `database` lazily, up to `connections`.
    public init(database: String, connections: Int, cappedCounts: CappedCounts = CappedCounts()) {
        pool = ConnectionPool(database, size: connections, setup: Self.servingSetup)
        store = AlertStore(cappedCounts: cappedCounts)
    }

    /// Runs `body` with a connection of its own, for one request's queries.
    public func read<T>(_ body: (ArchiveReader) throws -> T) throws -> T {
        try StoreError.translating {
            try pool.withConnection { try body(ArchiveReader(db: $0, store: store, objectStore: objectStore)) }
        }
    }

    /// How busy the connection pool is, for `/metrics`.
    public var poolUsage: PoolUsage {
        let usage = pool.usage
        return PoolUsage(size: usage.size, inUse: usage.inUse, waits: usage.waits)
    }
}

/// Connections lent now, how many may be, and how many times a caller had to wait.
public struct PoolUsage: Sendable {
    public let size: Int
    public let inUse: Int
    public let waits: Int
}

/// The queries of one request, on the connection `Archive.read` lent it.
public struct ArchiveReader {
    let db: Connection
    let store: AlertStore
    let objectStore: ObjectStore

    /// One page of the listing (see `AlertStore.listing`).
    public func listing(_ query: ListingQuery, limit: Int = ListingQuery.pageSize, idsOnly: Bool = false) throws -> ListingPage {
        try store.listing(query, limit: limit, idsOnly: idsOnly, db: db)
    }

    public func alerts(ids: [Int64]) throws -> [Int64: AlertRecord] { try store.alerts(ids: ids, db: db) }
    /// The alerts `ids` that exist, by id, their fields as JSON (see `CandidateJSON.alerts`).
    public func alertCells(ids: [Int64], keys: [[UInt8]], schema: StoreSchema) throws -> [Int64: AlertCells] {
        try schema.candidateJSON.alerts(ids: ids, keys: keys, db: db)
    }
    public func alert(id: Int64) throws -> AlertRecord? { try store.alert(id: id, db: db) }
    public func history(of alert: AlertRecord) throws -> [HistoryEntry] { try store.history(of: alert, db: db) }
    public func latest() throws -> LatestAlert? { try store.latest(db: db) }
    public func cutouts(candid: Int64) throws -> [CutoutInfo] { try store.cutouts(candid: candid, db: db) }
    public func cutout(alertID: Int64, kind: String) throws -> (fileName: String?, bytes: [UInt8])? {
        try store.cutout(alertID: alertID, kind: kind, db: db)
    }
    public func cutoutsRetiredAfterDays(alertID: Int64) throws -> Int? { try store.cutoutsRetiredAfterDays(alertID: alertID, db: db) }
    public func storedAlert(id: Int64) throws -> StoredAlertRows? { try store.storedAlert(id: id, db: db) }
    public func statistics() throws -> StoreStatistics { try StoreStatistics.read(from: db) }
    public func replication() throws -> ReplicationStatus { try ReplicationStatus.read(from: db) }

    /// Asks the database for nothing: whether it answers.
    public func ping() throws { try db.execute("SELECT 1") }
}

/// What went wrong in the database, in the terms a client is answered in.
public enum StoreError: Error, CustomStringConvertible {
    /// The database cannot be reached or is shutting down: try again shortly.
    case unavailable(String)
    /// The statement ran past the statement timeout and was cancelled.
    case timedOut
    /// The database could not use a value the client sent (out of range for its column, ...).
    case rejectedValue(String)
    /// Anything else: our fault, not the client's.
    case failed(String)

    public var description: String {
        switch self {
        case .unavailable(let message): return "database unavailable: \(message)"
        case .timedOut: return "the statement took longer than \(Archive.statementTimeoutSeconds) s"
        case .rejectedValue(let message): return "a value could not be used: \(message)"
        case .failed(let message): return message
        }
    }

    /// Runs `body`, telling PostgreSQL's errors as `StoreError`s.
    static func translating<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError {
            if error.isConnectionFailure { throw StoreError.unavailable(error.message) }
            if error.sqlState == .queryCanceled { throw StoreError.timedOut }
            if error.sqlState?.isDataException == true { throw StoreError.rejectedValue(error.message) }
            throw StoreError.failed("database error \(error.sqlState?.description ?? "?"): \(error.message)")
        } catch let error as PostgresDecodingError {
            throw StoreError.failed("unexpected result: \(error)")
        }
    }
}
