import ArgumentParser
import Foundation
import HTTP
import Model
import Postgres
import Store
import Web

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the alert listing, alert pages, cutouts and JSON API over HTTP.",
        discussion: """
            Each setting is taken from its flag, else its environment variable, else the file given
            with --config (NAME=value lines, as systemd's EnvironmentFile=), else its default:
            \(Setting.serve.map { "  \($0.key)=\($0.defaultValue ?? "")  \($0.help)" }.joined(separator: "\n"))
            """
    )

    @Option(name: .long, help: ArgumentHelp("PostgreSQL URL or libpq connection string (DATABASE_URL).", valueName: "postgresql://..."))
    var database: String?

    @Option(help: ArgumentHelp("Configuration file: NAME=value lines (see below).", valueName: "file"))
    var config: String?

    @Option(help: "Address to listen on (ALERTDB_HOST; 127.0.0.1 for this machine only, 0.0.0.0 for every IPv4 interface, :: for every interface, IPv4 and IPv6).")
    var host: String?

    @Option(help: "Port to listen on (ALERTDB_PORT; 0: any free port).")
    var port: Int?

    @Option(help: "Worker threads, and database connections, one each (ALERTDB_THREADS).")
    var threads: Int?

    @Option(help: ArgumentHelp("Megabytes of listing JSON kept for alerts already rendered (ALERTDB_RENDER_CACHE_MB; 0: none).", valueName: "MB"))
    var renderCache: Int?

    @Flag(inversion: .prefixedNo, help: "Remember which filters match more than 10,000 alerts (ALERTDB_COUNT_CACHE).")
    var countCache: Bool?

    @Option(help: ArgumentHelp("Per-client rate limiting (ALERTDB_RATE_LIMIT).", valueName: "on|off"))
    var rateLimit: String?

    @Option(help: "Requests a client may make at once (ALERTDB_RATE_LIMIT_BURST).")
    var rateLimitBurst: Int?

    @Option(help: ArgumentHelp("Seconds per request sustained, once the burst is spent (ALERTDB_RATE_LIMIT_INTERVAL).", valueName: "seconds"))
    var rateLimitInterval: Double?

    @Option(help: "How many times larger the budget of cutout images is (ALERTDB_CUTOUT_BUDGET_FACTOR).")
    var cutoutBudgetFactor: Double?

    @Option(help: ArgumentHelp("Reverse proxies whose X-Forwarded-For is believed (ALERTDB_TRUSTED_PROXIES).", valueName: "address,..."))
    var trustedProxies: String?

    @Option(help: ArgumentHelp("Seconds after which a connection making no progress is closed (ALERTDB_CONNECTION_TIMEOUT).", valueName: "seconds"))
    var connectionTimeout: Int?

    @Option(help: ArgumentHelp("Seconds a client has to send a whole request, however slowly it trickles (ALERTDB_REQUEST_TIMEOUT).", valueName: "seconds"))
    var requestTimeout: Int?

    @Option(help: "Open HTTP connections at most (ALERTDB_MAX_CONNECTIONS).")
    var maxConnections: Int?

    @Option(help: "Open HTTP connections of one peer address at most; 0: no cap (ALERTDB_MAX_CONNECTIONS_PER_CLIENT).")
    var maxConnectionsPerClient: Int?

    @Option(help: ArgumentHelp("Addresses or networks that may read /metrics (ALERTDB_METRICS_ALLOW; loopback by default).", valueName: "address,..."))
    var metricsAllow: String?

    @Option(help: ArgumentHelp("The site's address; every absolute link starts with it (ALERTDB_PUBLIC_URL).", valueName: "https://..."))
    var publicURL: String?

    @Option(help: ArgumentHelp("Which other sites' pages may read the answers: *, one origin, or empty for none (ALERTDB_CORS_ORIGIN).", valueName: "origin"))
    var corsOrigin: String?

    /// The flags given, by setting name.
    private var flags: [String: String] {
        let given: [(String, String?)] = [
            ("DATABASE_URL", database), ("ALERTDB_HOST", host), ("ALERTDB_PORT", port.map(String.init)),
            ("ALERTDB_THREADS", threads.map(String.init)), ("ALERTDB_RENDER_CACHE_MB", renderCache.map(String.init)),
            ("ALERTDB_COUNT_CACHE", countCache.map { $0 ? "on" : "off" }), ("ALERTDB_RATE_LIMIT", rateLimit),
            ("ALERTDB_RATE_LIMIT_BURST", rateLimitBurst.map(String.init)),
            ("ALERTDB_RATE_LIMIT_INTERVAL", rateLimitInterval.map { String($0) }),
            ("ALERTDB_CUTOUT_BUDGET_FACTOR", cutoutBudgetFactor.map { String($0) }),
            ("ALERTDB_TRUSTED_PROXIES", trustedProxies), ("ALERTDB_CONNECTION_TIMEOUT", connectionTimeout.map(String.init)),
            ("ALERTDB_MAX_CONNECTIONS", maxConnections.map(String.init)),
            ("ALERTDB_REQUEST_TIMEOUT", requestTimeout.map(String.init)),
            ("ALERTDB_MAX_CONNECTIONS_PER_CLIENT", maxConnectionsPerClient.map(String.init)),
            ("ALERTDB_METRICS_ALLOW", metricsAllow), ("ALERTDB_PUBLIC_URL", publicURL),
            ("ALERTDB_CORS_ORIGIN", corsOrigin),
        ]
        return Dictionary(uniqueKeysWithValues: given.compactMap { key, value in value.map { (key, $0) } })
    }

    func run() throws {
        // Before any thread starts, so that all of them inherit the mask and the signal
        // waits for `sigwait` below instead of killing the process mid-request.
        let signals = blockTerminationSignals()
        let settings: ServeConfiguration
        let schema: StoreSchema
        do {
            settings = try ServeConfiguration(flags: flags, environment: ProcessInfo.processInfo.environment,
                                              file: try config.map { try ConfigFile.read(path: $0) } ?? [:])
            schema = try StoreSchema.read(from: try Connection(settings.database))
        } catch {
            throw fail("\(error)")
        }
        let threads = settings.threads
        var limits = Server.Limits()
        limits.threads = threads
        limits.connectionTimeoutSeconds = settings.connectionTimeout
        limits.requestTimeoutSeconds = settings.requestTimeout
        limits.maxConnectionsPerClient = settings.maxConnectionsPerClient
        // Each connection is a file, and so is each database connection (two pools at most) and a few more.
        let spare = 4 * threads + 64
        limits.maxConnections = max(1, min(settings.maxConnections,
                                           raiseOpenFileLimit(toHold: settings.maxConnections + spare) - spare))
        if limits.maxConnections < settings.maxConnections {
            Log.command("the open-file limit allows \(limits.maxConnections) connections, not \(settings.maxConnections) (raise LimitNOFILE or ulimit -n)")
        }

        let archive = Archive(database: settings.database, connections: threads,
                              cappedCounts: CappedCounts(capacity: settings.countCache ? 10_000 : 0))
        let identity = ClientIdentity(trustedProxies: settings.trustedProxies)
        var limiter: RateLimiter?
        if settings.rateLimit {
            var limiting = RateLimiter.Settings()
            limiting.budget = settings.rateLimitBudget
            limiting.cutoutFactor = settings.cutoutBudgetFactor
            limiting.identity = identity
            let access = settings.rateLimitDatabase == settings.database
                ? AccessStore(sharing: archive) : AccessStore(database: settings.rateLimitDatabase, connections: threads)
            limiter = RateLimiter(settings: limiting, access: access)
        }
        let service = AlertService(archive: archive, schema: schema, renderCacheBytes: settings.renderCacheMegabytes << 20,
                                   limiter: limiter, identity: identity, publicURL: settings.publicURL,
                                   metricsAccess: settings.metricsAccess, corsOrigin: settings.corsOrigin)
        let server: Server
        do {
            server = try Server(host: settings.host, port: settings.port, limits: limits,
                                responseHeaders: AlertService.securityHeaders) { service.handle($0) }
        } catch {
            throw fail("\(error)")
        }
        let shown = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        let limiting = limiter.map { "rate limit \(Int($0.settings.budget.burst)) then 1 per \($0.settings.budget.interval) s" } ?? "rate limiting off"
        Log.command("serving http://\(shown):\(server.port)/ (\(limiting))")
        var received: Int32 = 0
        var set = signals
        sigwait(&set, &received)
        server.stop()
    }
}

/// Blocks SIGTERM and SIGINT in this thread (and the threads it starts) and returns them as a set.
private func blockTerminationSignals() -> sigset_t {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGTERM)
    sigaddset(&signals, SIGINT)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    return signals
}

/// Raises the soft limit on open files towards `wanted` (as far as the hard limit allows): the
/// default soft limit, 1024, would be reached by idle connections before the server's own cap.
/// Returns the limit in force.
private func raiseOpenFileLimit(toHold wanted: Int) -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return wanted }
    if limit.rlim_cur < rlim_t(wanted) {
        limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted))
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    return Int(min(limit.rlim_cur, rlim_t(Int.max)))
}
