import Foundation

/// One setting of the configuration file shared by alertdb's commands and scripts
/// (`Deploy/alertdb.conf`): its name in the file and the environment, its default and meaning.
public struct Setting: Sendable {
    public let key: String
    /// Nil when the setting has no default and must be given.
    public let defaultValue: String?
    public let help: String

    public init(_ key: String, _ defaultValue: String?, _ help: String) {
        (self.key, self.defaultValue, self.help) = (key, defaultValue, help)
    }

    /// Every setting of every command and script, by what reads it.
    public static let serve: [Setting] = [
        Setting("DATABASE_URL", "", "PostgreSQL URL or libpq connection string (empty: the PG* variables)"),
        Setting("ALERTDB_HOST", "127.0.0.1", "address to listen on (0.0.0.0: every IPv4 interface; ::, every interface, IPv4 and IPv6)"),
        Setting("ALERTDB_PORT", "8080", "port to listen on (0: any free port)"),
        Setting("ALERTDB_THREADS", "8", "worker threads, and database connections (one each)"),
        Setting("ALERTDB_RENDER_CACHE_MB", "64", "megabytes of listing JSON kept for alerts already rendered (0: none)"),
        Setting("ALERTDB_COUNT_CACHE", "on", "remember which filters match more than 10,000 alerts"),
        Setting("ALERTDB_RATE_LIMIT", "on", "per-client rate limiting (off for tests and private deployments)"),
        Setting("ALERTDB_RATE_LIMIT_BURST", "20", "requests a client may make at once"),
        Setting("ALERTDB_RATE_LIMIT_INTERVAL", "180", "seconds per request sustained, once the burst is spent"),
        Setting("ALERTDB_CUTOUT_BUDGET_FACTOR", "3", "how many times larger the separate budget of cutout images is"),
        Setting("ALERTDB_TRUSTED_PROXIES", "", "comma-separated addresses or networks (10.0.0.0/8) of reverse proxies whose X-Forwarded-For is believed"),
        Setting("ALERTDB_RATE_LIMIT_DATABASE", "", "database of the rate-limit buckets, when DATABASE_URL is a read-only replica (empty: DATABASE_URL)"),
        Setting("ALERTDB_CONNECTION_TIMEOUT", "30", "seconds after which a connection making no progress is closed"),
        Setting("ALERTDB_REQUEST_TIMEOUT", "10", "seconds a client has to send a whole request, however slowly, and a kept-alive connection to start its next"),
        Setting("ALERTDB_MAX_CONNECTIONS", "1024", "open HTTP connections at most"),
        Setting("ALERTDB_MAX_CONNECTIONS_PER_CLIENT", "64", "open HTTP connections of one peer address at most (0: no cap; behind a proxy every client has its address)"),
        Setting("ALERTDB_METRICS_ALLOW", "127.0.0.0/8,::1", "comma-separated addresses or networks that may read /metrics (others get 404)"),
        Setting("ALERTDB_PUBLIC_URL", "", "the site's address (https://alerts.example.org): every absolute link starts with it (empty: the request's Host, checked)"),
        Setting("ALERTDB_CORS_ORIGIN", "*", "the Access-Control-Allow-Origin of every answer: * (any site's pages and notebooks may read the API), one origin (https://tools.example.org), or empty for none"),
    ]

    public static let consume: [Setting] = [
        Setting("DATABASE_URL", "", "PostgreSQL URL or libpq connection string (empty: the PG* variables)"),
        Setting("ALERTDB_KAFKA_BROKERS", nil, "Kafka bootstrap servers, host:port, comma-separated"),
        Setting("ALERTDB_KAFKA_TOPICS", nil, "topic names, or regexes starting with ^, comma-separated"),
        Setting("ALERTDB_KAFKA_GROUP", nil, "consumer group: processes in one group share the partitions"),
        Setting("ALERTDB_KAFKA_OPTIONS", "", "librdkafka settings, name=value separated by spaces (e.g. security.protocol=SASL_SSL)"),
        Setting("ALERTDB_CONSUME_METRICS_PORT", "", "serve Prometheus metrics on 127.0.0.1:PORT/metrics (empty: none)"),
        Setting("ALERTDB_CONSUME_BATCH_SIZE", "500", "messages per transaction at most"),
        Setting("ALERTDB_CONSUME_BATCH_SECONDS", "1", "seconds after its first message by which a batch is stored"),
        Setting("ALERTDB_WIRE_SCHEMA", "", "Avro schema file of messages in the Confluent wire format (empty: container files)"),
        Setting("ALERTDB_SCHEMA_REGISTRY", "", "schema registry URL for Confluent-framed messages (empty: Rubin's schemas bundled with alertdb)"),
    ]

    /// `alertdb retention`: how long each table's rows are kept (never, or 90d, 6m, 1y).
    public static let retention: [Setting] = [
        Setting("DATABASE_URL", "", "PostgreSQL URL or libpq connection string (empty: the PG* variables)"),
        Setting("ALERTDB_RETAIN_CUTOUTS", "never", "age past which a month of cutouts is retired (never, or 90d, 6m, 1y)"),
        Setting("ALERTDB_RETAIN_HISTORY", "never", "age past which a month of history rows (prv_candidate; Rubin's prv_dia_source, prv_dia_forced_source) is retired"),
        Setting("ALERTDB_RETAIN_ALERTS", "never", "age past which a month of alerts is retired, with their cutouts"),
        Setting("ALERTDB_RETENTION_ACTION", "drop", "drop a retired month, or detach it (kept as a table of its own, to archive)"),
    ]

    /// Read by the scripts of `Deploy/` (the spool ingest) and by every command.
    public static let scripts: [Setting] = [
        Setting("ALERTDB_BIN", "alertdb", "the alertdb executable the spool script runs"),
        Setting("ALERTDB_SPOOL_SETTLE", "30", "seconds a file in the spool must stay unchanged before it is loaded"),
        Setting("ALERTDB_MIGRATIONS", "", "folder of the numbered SQL migrations (empty: found beside the executable)"),
    ]

    /// Every name the shared file may hold.
    public static var knownKeys: Set<String> { Set((serve + consume + retention + scripts).map(\.key)) }
}

/// Settings resolved for one command: each from its flag, else its environment variable,
/// else the configuration file, else its default. The file and the environment use the same
/// names, so any setting can be overridden for one run.
public struct SettingValues: Sendable {
    private let values: [String: String]

    /// Resolves `settings`. A name in `file` that no command knows is a mistake (a misspelt
    /// setting would otherwise be ignored in silence), and so is a setting without default given nowhere.
    public init(_ settings: [Setting], flags: [String: String], environment: [String: String], file: [String: String]) throws {
        if let unknown = file.keys.filter({ $0.hasPrefix("ALERTDB_") && !Setting.knownKeys.contains($0) }).sorted().first {
            throw AlertDBError.invalidInput("unknown setting \(unknown) in the configuration file")
        }
        var values: [String: String] = [:]
        for setting in settings {
            guard let value = flags[setting.key] ?? environment[setting.key] ?? file[setting.key] ?? setting.defaultValue else {
                throw AlertDBError.invalidInput("\(setting.key) is not set: give it in the configuration file, the environment or as a flag (\(setting.help))")
            }
            values[setting.key] = value
        }
        self.values = values
    }

    public func text(_ key: String) -> String { values[key]! }

    public func integer(_ key: String, _ range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(values[key]!), range.contains(value) else {
            throw AlertDBError.invalidInput("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(values[key]!)")
        }
        return value
    }

    /// An integer, or nil when the setting is empty.
    public func optionalInteger(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
        values[key]!.isEmpty ? nil : try integer(key, range)
    }

    public func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double {
        guard let value = Double(values[key]!), value.isFinite, range.contains(value) else {
            throw AlertDBError.invalidInput("\(key) must be a number from \(range.lowerBound) to \(range.upperBound), not \(values[key]!)")
        }
        return value
    }

    public func boolean(_ key: String) throws -> Bool {
        switch values[key]!.lowercased() {
        case "on", "true", "yes", "1": return true
        case "off", "false", "no", "0": return false
        default: throw AlertDBError.invalidInput("\(key) must be on or off, not \(values[key]!)")
        }
    }

    /// A comma-separated list, blanks dropped.
    public func list(_ key: String) -> [String] {
        values[key]!.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
