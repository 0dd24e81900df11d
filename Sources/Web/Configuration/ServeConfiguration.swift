import AlertDB
import Foundation

/// The settings of `alertdb serve`, each read from its command-line flag, else its environment
/// variable, else the configuration file (`--config`), else its default. The file and the
/// environment use the same names, so that any setting can be overridden for one run.
public struct ServeConfiguration: Sendable {
    /// One setting: its name (in the file and the environment), default and meaning.
    public struct Setting: Sendable {
        public let key: String
        public let defaultValue: String
        public let help: String
    }

    /// Every setting, in the order the documentation lists them.
    public static let settings: [Setting] = [
        Setting(key: "DATABASE_URL", defaultValue: "", help: "PostgreSQL URL or libpq connection string (empty: the PG* variables)"),
        Setting(key: "ALERTDB_HOST", defaultValue: "127.0.0.1", help: "address to listen on (0.0.0.0 or :: for every interface)"),
        Setting(key: "ALERTDB_PORT", defaultValue: "8080", help: "port to listen on (0: any free port)"),
        Setting(key: "ALERTDB_THREADS", defaultValue: "8", help: "worker threads, and database connections (one each)"),
        Setting(key: "ALERTDB_RENDER_CACHE_MB", defaultValue: "64", help: "megabytes of listing JSON kept for alerts already rendered (0: none)"),
        Setting(key: "ALERTDB_COUNT_CACHE", defaultValue: "on", help: "remember which filters match more than 10,000 alerts"),
        Setting(key: "ALERTDB_RATE_LIMIT", defaultValue: "on", help: "per-client rate limiting (off for tests and private deployments)"),
        Setting(key: "ALERTDB_RATE_LIMIT_BURST", defaultValue: "20", help: "requests a client may make at once"),
        Setting(key: "ALERTDB_RATE_LIMIT_INTERVAL", defaultValue: "180", help: "seconds per request sustained, once the burst is spent"),
        Setting(key: "ALERTDB_CUTOUT_BUDGET_FACTOR", defaultValue: "3", help: "how many times larger the separate budget of cutout images is"),
        Setting(key: "ALERTDB_TRUSTED_PROXIES", defaultValue: "", help: "comma-separated addresses or networks (10.0.0.0/8) of reverse proxies whose X-Forwarded-For is believed"),
        Setting(key: "ALERTDB_RATE_LIMIT_DATABASE", defaultValue: "", help: "database of the rate-limit buckets, when DATABASE_URL is a read-only replica (empty: DATABASE_URL)"),
        Setting(key: "ALERTDB_CONNECTION_TIMEOUT", defaultValue: "30", help: "seconds after which an idle or stalled connection is closed"),
        Setting(key: "ALERTDB_MAX_CONNECTIONS", defaultValue: "1024", help: "open HTTP connections at most"),
    ]

    /// Settings of the other commands and scripts that share the file (see `Deploy/alertdb.conf`):
    /// known, so not mistaken for misspelt settings of `serve`.
    static let otherCommandsKeys: Set = [
        "ALERTDB_KAFKA_BROKERS", "ALERTDB_KAFKA_TOPICS", "ALERTDB_KAFKA_GROUP", "ALERTDB_CONSUME_METRICS_PORT",
        "ALERTDB_BIN", "ALERTDB_SPOOL_SETTLE", "ALERTDB_MIGRATIONS",
    ]

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
    public let maxConnections: Int

    /// `flags` are the settings given on the command line, by key. Every value is checked here,
    /// so that a mistake stops the start, naming the setting, rather than failing a request.
    public init(flags: [String: String], environment: [String: String], file: [String: String]) throws {
        let known = Set(Self.settings.map(\.key)).union(Self.otherCommandsKeys)
        if let unknown = file.keys.filter({ $0.hasPrefix("ALERTDB_") && !known.contains($0) }).sorted().first {
            throw AlertDBError.invalidInput("unknown setting \(unknown) in the configuration file")
        }
        var values: [String: String] = [:]
        for setting in Self.settings {
            values[setting.key] = flags[setting.key] ?? environment[setting.key] ?? file[setting.key] ?? setting.defaultValue
        }
        let read = Values(values)
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
        trustedProxies = read.text("ALERTDB_TRUSTED_PROXIES").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for entry in trustedProxies where IPNetwork(entry) == nil {
            throw AlertDBError.invalidInput("ALERTDB_TRUSTED_PROXIES: \(entry) is not an IP address or network (10.0.0.0/8)")
        }
        let bucketDatabase = read.text("ALERTDB_RATE_LIMIT_DATABASE")
        rateLimitDatabase = bucketDatabase.isEmpty ? database : bucketDatabase
        connectionTimeout = try read.integer("ALERTDB_CONNECTION_TIMEOUT", 1...3600)
        maxConnections = try read.integer("ALERTDB_MAX_CONNECTIONS", 1...1_000_000)
    }
}

/// The settings' texts, read as the types they hold; a value that is not one names its setting.
private struct Values {
    let values: [String: String]

    init(_ values: [String: String]) { self.values = values }

    func text(_ key: String) -> String { values[key]! }

    func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(values[key]!), range.contains(value) else {
            throw AlertDBError.invalidInput("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(values[key]!)")
        }
        return value
    }

    func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double {
        guard let value = Double(values[key]!), range.contains(value) else {
            throw AlertDBError.invalidInput("\(key) must be a number from \(range.lowerBound) to \(range.upperBound), not \(values[key]!)")
        }
        return value
    }

    func boolean(_ key: String) throws -> Bool {
        switch values[key]!.lowercased() {
        case "on", "true", "yes", "1": return true
        case "off", "false", "no", "0": return false
        default: throw AlertDBError.invalidInput("\(key) must be on or off, not \(values[key]!)")
        }
    }
}
