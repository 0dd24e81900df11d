import Postgres

/// A run of `ingest` or `consume` that stopped part way: what it had stored, and why it
/// stopped, so the command can say both in two lines instead of a library's raw text.
public struct IngestInterrupted: Error, CustomStringConvertible {
    /// Totals up to the last batch stored.
    public let summary: IngestSummary
    /// The failure itself (a `PostgresError`, a `GzipError`, ...).
    public let reason: any Error

    public init(summary: IngestSummary, reason: any Error) {
        self.summary = summary
        self.reason = reason
    }

    /// One line: why, in words an operator can act on.
    public var description: String {
        switch reason {
        case let error as PostgresError where error.isConnectionFailure:
            return "the database went away (\(error.summary))"
        case let error as PostgresError:
            return "the database refused a statement (\(error.sqlState?.description ?? "?"): \(error.summary))"
        default:
            return String(describing: reason).split(separator: "\n").first.map(String.init) ?? "\(reason)"
        }
    }
}
