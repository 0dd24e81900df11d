import AlertDB
import ArgumentParser
import Foundation
import HTTP
import Postgres
import Web

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the alert listing, alert pages, cutouts and JSON API over HTTP."
    )

    @OptionGroup var db: DatabaseOptions

    @Option(help: "Address to listen on (127.0.0.1 for this machine only, 0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port = 8080

    @Option(help: "Worker threads, and database connections (one each).")
    var threads = 8

    @Option(help: ArgumentHelp("Megabytes of listing JSON kept for alerts already rendered (0: none).", valueName: "MB"))
    var renderCache = 64

    @Flag(inversion: .prefixedNo, help: "Remember which filters match more than 10,000 alerts, so their count is not taken again.")
    var countCache = true

    func run() throws {
        // Before any thread starts, so that all of them inherit the mask and the signal
        // waits for `sigwait` below instead of killing the process mid-request.
        let signals = blockTerminationSignals()
        let schema: StoreSchema
        do {
            schema = try StoreSchema.read(from: try db.connect())
        } catch {
            throw fail("\(error)")
        }
        let pool = ConnectionPool(db.connectionString, size: threads, setup: AlertService.connectionSetup)
        let service = AlertService(pool: pool, schema: schema, renderCacheBytes: max(0, renderCache) << 20,
                                   cappedCounts: CappedCounts(capacity: countCache ? 10_000 : 0))
        var limits = Server.Limits()
        limits.threads = max(1, threads)
        let server: Server
        do {
            server = try Server(host: host, port: port, limits: limits) { service.handle($0) }
        } catch {
            throw fail("\(error)")
        }
        let shown = host.contains(":") ? "[\(host)]" : host
        FileHandle.standardError.write(Data("alertdb: serving http://\(shown):\(server.port)/\n".utf8))
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
