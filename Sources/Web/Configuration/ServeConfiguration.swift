import Foundation
import Model
import Store

/// The settings of `alertdb serve` (`Setting.serve`), each read from its command-line flag,
/// else its environment variable, else the configuration file (`--config`), else its default.
public struct ServeConfiguration: Sendable {
    public let database: String
    public let host: String
    public let port: Int
    public let threads: Int
    public let renderCacheMegabytes: Int
    public let countCache: Bool
    public let rateLimit: Bool
    public let rateLimitBudget: Budget
    public let cutoutBudgetFactor: Double
    /// Addresses or networks, each checked.
    public let trustedProxies: [String]
    /// Where the rate-limit buckets are: `database` unless given.
    public let rateLimitDatabase: String
    public let connectionTimeout: Int
    /// Seconds a client has to send a whole request.
    public let requestTimeout: Int
    public let maxConnections: Int
    /// Open connections of one peer address at most; 0 for no cap.
    public let maxConnectionsPerClient: Int
    /// Who may read `/metrics`.
    public let metricsAccess: MetricsAccess
    /// The start of every absolute link, without a final slash; nil to build them from the request.
    public let publicURL: String?
    /// What other sites' pages may read the answers: `*`, one origin, or nil for none (CORS).
    public let corsOrigin: String?

    /// `flags` are the settings given on the command line, by key. Every value is checked here,
    /// so that a mistake stops the start, naming the setting, rather than failing a request.
    public init(flags: [String: String], environment: [String: String], file: [String: String]) throws {
        let read = try SettingValues(Setting.serve, flags: flags, environment: environment, file: file)
        database = read.text("DATABASE_URL")
        host = read.text("ALERTDB_HOST")
        port = try read.integer("ALERTDB_PORT", 0...65535)
        threads = try read.integer("ALERTDB_THREADS", 1...1024)
        renderCacheMegabytes = try read.integer("ALERTDB_RENDER_CACHE_MB", 0...1_000_000)
        countCache = try read.boolean("ALERTDB_COUNT_CACHE")
        rateLimit = try read.boolean("ALERTDB_RATE_LIMIT")
        rateLimitBudget = Budget(burst: Double(try read.integer("ALERTDB_RATE_LIMIT_BURST", 1...1_000_000_000)),
                                 interval: try read.number("ALERTDB_RATE_LIMIT_INTERVAL", 0.000_001...1e9))
        cutoutBudgetFactor = try read.number("ALERTDB_CUTOUT_BUDGET_FACTOR", 1...1e6)
        trustedProxies = read.list("ALERTDB_TRUSTED_PROXIES")
        for entry in trustedProxies where IPNetwork(entry) == nil {
            throw AlertDBError.invalidInput("ALERTDB_TRUSTED_PROXIES: \(entry) is not an IP address or network (10.0.0.0/8)")
        }
        let bucketDatabase = read.text("ALERTDB_RATE_LIMIT_DATABASE")
        rateLimitDatabase = bucketDatabase.isEmpty ? database : bucketDatabase
        connectionTimeout = try read.integer("ALERTDB_CONNECTION_TIMEOUT", 1...3600)
        requestTimeout = try read.integer("ALERTDB_REQUEST_TIMEOUT", 1...3600)
        maxConnections = try read.integer("ALERTDB_MAX_CONNECTIONS", 1...1_000_000)
        maxConnectionsPerClient = try read.integer("ALERTDB_MAX_CONNECTIONS_PER_CLIENT", 0...1_000_000)
        let metricsAllow = read.list("ALERTDB_METRICS_ALLOW")
        guard let allowed = AddressList(metricsAllow) else {
            throw AlertDBError.invalidInput("ALERTDB_METRICS_ALLOW: \(AddressList.firstInvalid(metricsAllow) ?? "") is not an IP address or network (127.0.0.0/8)")
        }
        metricsAccess = MetricsAccess(allowed: allowed)
        let url = read.text("ALERTDB_PUBLIC_URL").trimmingCharacters(in: .whitespaces)
        if url.isEmpty {
            publicURL = nil
        } else if let base = Authority.publicBase(url) {
            publicURL = base
        } else {
            throw AlertDBError.invalidInput("ALERTDB_PUBLIC_URL must be http:// or https://, a host name or address, an optional port and path (https://alerts.example.org), not \(url)")
        }
        let origin = read.text("ALERTDB_CORS_ORIGIN").trimmingCharacters(in: .whitespaces)
        if origin.isEmpty {
            corsOrigin = nil
        } else if origin == "*" || Self.isOrigin(origin) {
            corsOrigin = origin
        } else {
            throw AlertDBError.invalidInput("ALERTDB_CORS_ORIGIN must be *, one origin (https://tools.example.org: scheme, host, optional port, no path) or empty, not \(origin)")
        }
    }

    /// An origin as browsers send it: `http://` or `https://` and a host with an optional port,
    /// nothing after (a header value, so no spaces, commas or paths).
    static func isOrigin(_ text: String) -> Bool {
        guard let base = Authority.publicBase(text) else { return false }
        let rest = base.drop { $0 != ":" }.dropFirst(3)
        return base == text && !rest.contains("/")
    }
}
