import Postgres

/// Where a client stands after asking its bucket for one request.
public struct BucketState: Sendable, Equatable {
    /// Whether the request may proceed (a request was taken from the bucket).
    public var allowed: Bool
    /// Requests left in the bucket now (fractional: it refills continuously).
    public var remaining: Double
    /// Seconds until one request is available (0 when allowed).
    public var retryAfter: Double
    /// Seconds until the bucket is full again.
    public var resetAfter: Double

    public init(allowed: Bool, remaining: Double, retryAfter: Double, resetAfter: Double) {
        self.allowed = allowed
        self.remaining = remaining
        self.retryAfter = retryAfter
        self.resetAfter = resetAfter
    }
}

/// The `rate_limit_bucket` table: token buckets shared by every process on one database.
public enum RateLimitBuckets {
    /// Takes `cost` requests from `client`'s bucket `budget`, or none when it holds fewer (see
    /// `rate_limit_take` in the migrations).
    public static func take(client: String, budget name: String, _ budget: Budget, cost: Double = 1, db: Connection) throws -> BucketState {
        let row = try db.execute("SELECT * FROM rate_limit_take(\(client), \(name), \(budget.burst), \(budget.interval), \(cost))")[0]
        return BucketState(allowed: try row.decode("allowed"), remaining: try row.decode("remaining"),
                           retryAfter: try row.decode("retry_after"), resetAfter: try row.decode("reset_after"))
    }

    /// Deletes buckets that have refilled completely: a missing bucket is a full one.
    @discardableResult
    public static func deleteFull(db: Connection) throws -> Int {
        try db.execute("DELETE FROM rate_limit_bucket WHERE full_at < now()").affectedRows
    }
}
