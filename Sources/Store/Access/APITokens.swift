import Foundation
import Model
import Postgres

/// A budget: `burst` requests at once, then one every `interval` seconds.
public struct Budget: Sendable, Equatable {
    public var burst: Double
    public var interval: Double

    public init(burst: Double, interval: Double) {
        self.burst = burst
        self.interval = interval
    }

    /// The same budget `factor` times larger: a burst `factor` times deeper that refills `factor` times faster.
    public func scaled(by factor: Double) -> Budget { Budget(burst: burst * factor, interval: interval / factor) }
}

/// An API token as stored (its secret is never stored: only a SHA-256 digest of it).
public struct APIToken: Sendable {
    public let name: String
    public let budget: Budget
    public let createdAt: String
    public let lastUsedAt: String?
    public let revokedAt: String?
}

/// The `api_token` table: tokens are made, listed and revoked with `alertdb token`, and looked
/// up by the service for each request that presents one.
public struct APITokens {
    let db: Connection

    public init(db: Connection) { self.db = db }

    /// Makes a token named `name` and returns its secret, which is shown once and not kept.
    public func add(name: String, budget: Budget) throws -> String {
        guard !name.isEmpty, name.count <= 100 else { throw AlertDBError.invalidInput("a token name has 1 to 100 characters") }
        guard budget.burst >= 1, budget.interval > 0 else {
            throw AlertDBError.invalidInput("a token's burst must be at least 1 and its interval above 0 s")
        }
        var generator = SystemRandomNumberGenerator()   // getrandom(2): fit for secrets
        let secret = "adb_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        do {
            try db.execute("""
                INSERT INTO api_token (name, digest, burst, interval_seconds)
                VALUES (\(name), sha256(convert_to(\(secret), 'UTF8')), \(Int(budget.burst)), \(budget.interval))
                """)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            throw AlertDBError.invalidInput("a token named \(name) exists already")
        }
        return secret
    }

    public func list() throws -> [APIToken] {
        try db.execute("""
            SELECT name, burst, interval_seconds, date_trunc('second', created_at) AS created_at,
                   date_trunc('second', last_used_at) AS last_used_at, date_trunc('second', revoked_at) AS revoked_at
            FROM api_token ORDER BY created_at, name
            """).rows.map { row in
            APIToken(name: try row.decode("name"), budget: Budget(burst: try row.decode("burst"), interval: try row.decode("interval_seconds")),
                     createdAt: try row.decode("created_at"), lastUsedAt: try row.decode("last_used_at"), revokedAt: try row.decode("revoked_at"))
        }
    }

    /// Revokes the token `name`; false when there is no such token still in force.
    public func revoke(name: String) throws -> Bool {
        try db.execute("UPDATE api_token SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL").affectedRows > 0
    }

    /// The name and budget of the token whose secret is `secret`, if it is in force; marks it used.
    public func lookUp(secret: String) throws -> (name: String, budget: Budget)? {
        let rows = try db.execute("""
            UPDATE api_token SET last_used_at = now()
            WHERE digest = sha256(convert_to(\(secret), 'UTF8')) AND revoked_at IS NULL
            RETURNING name, burst, interval_seconds
            """).rows
        guard let row = rows.first else { return nil }
        return (try row.decode("name"), Budget(burst: try row.decode("burst"), interval: try row.decode("interval_seconds")))
    }
}
