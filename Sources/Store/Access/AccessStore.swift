import Model
import Postgres

/// The rate-limit budgets and API tokens as the web service reaches them: on the archive's
/// database, or on another one (the primary, when the archive is read from a replica).
public final class AccessStore: Sendable {
    private let pool: ConnectionPool

    /// On a database of its own, with a pool of its own.
    public init(database: String, connections: Int) {
        pool = ConnectionPool(database, size: connections, setup: Archive.servingSetup)
    }

    /// On the archive's database, through its pool: a request takes from its budget before
    /// its queries, never during them, so the two never wait on each other.
    public init(sharing archive: Archive) {
        pool = archive.pool
    }

    /// Takes `cost` requests from `client`'s bucket `budget` (`rate_limit_take` in the migrations).
    public func take(client: String, budget name: String, _ budget: Budget, cost: Double = 1) throws -> BucketState {
        try StoreError.translating {
            try pool.withConnection { try RateLimitBuckets.take(client: client, budget: name, budget, cost: cost, db: $0) }
        }
    }

    /// Deletes buckets that have refilled completely.
    public func deleteFullBuckets() throws {
        _ = try StoreError.translating { try pool.withConnection { try RateLimitBuckets.deleteFull(db: $0) } }
    }

    /// The name and budget of the token whose secret is `secret`, if it is in force; marks it used.
    public func token(secret: String) throws -> (name: String, budget: Budget)? {
        try StoreError.translating { try pool.withConnection { try APITokens(db: $0).lookUp(secret: secret) } }
    }
}
