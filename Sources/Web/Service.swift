import Export
import Foundation
import HTTP
import JSON
import Model
import Store

/// The HTTP service: routes each request to its handler and turns every failure into a
/// response the client can act on (400 with the parameter, 401, 404, 405, 429, 503), never a crash.
public final class AlertService: Sendable {
    let archive: Archive
    let schema: StoreSchema
    let rendered: RenderedAlerts
    /// Nil when rate limiting is off.
    let limiter: RateLimiter?
    let identity: ClientIdentity
    /// The base of absolute links when the service has a public address (`ALERTDB_PUBLIC_URL`).
    let publicBase: String?
    let metricsAccess: MetricsAccess
    let metrics = RequestMetrics()
    let statistics: CachedStatistics
    /// Which other sites' pages may read the answers (`ALERTDB_CORS_ORIGIN`); nil: none.
    let crossOrigin: CrossOrigin?
    /// The columns of the alert listing as a table (CSV, VOTable), from the schema.
    let alertColumns: [DataTable.Column]
    /// The names of an alert's stored fields as JSON keys, for the listing's JSON (`AlertJSON.alert`).
    let candidateKeys: [[UInt8]]
    let rubinCatalogue = RubinCatalogueCache()

    /// Header fields of every response. The pages have no scripts, one inline stylesheet, images
    /// of this site (and the empty `data:` icon) and a form that submits here, so the policy
    /// allows that and nothing else; no other site may frame them.
    public static let securityHeaders: [(name: String, value: String)] = [
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
        ("X-Frame-Options", "DENY"),
    ]

    /// `renderCacheBytes` bounds the JSON kept of alerts already rendered (0: none).
    /// `limiter` is nil to serve without rate limiting; `identity` says which proxies are trusted.
    /// `publicURL` (checked by `ServeConfiguration`), when given, starts every absolute link.
    /// `metricsAccess` says who may read `/metrics`. `corsOrigin` (`*` or an origin, checked by
    /// `ServeConfiguration`) is the `Access-Control-Allow-Origin` of every answer; nil for none.
    public init(archive: Archive, schema: StoreSchema, renderCacheBytes: Int = 64 << 20, limiter: RateLimiter? = nil,
                identity: ClientIdentity = ClientIdentity(trustedProxies: []), publicURL: String? = nil,
                metricsAccess: MetricsAccess = MetricsAccess(allowed: AddressList(MetricsAccess.defaultAllowed)!),
                corsOrigin: String? = "*") {
        self.archive = archive
        self.schema = schema
        rendered = RenderedAlerts(capacityBytes: renderCacheBytes)
        self.limiter = limiter
        self.identity = identity
        publicBase = publicURL.flatMap(Authority.publicBase)
        self.metricsAccess = metricsAccess
        statistics = CachedStatistics(archive: archive)
        crossOrigin = corsOrigin.map(CrossOrigin.init)
        alertColumns = AlertTables.alertColumns(schema)
        candidateKeys = AlertJSON.candidateKeys(schema.candidateJSON.names)
    }

    public func handle(_ incoming: Request) -> Response {
        let started = ProcessInfo.processInfo.systemUptime
        var request = incoming
        // The token is the limiter's business: the routes never see it, and links never repeat it.
        let token = Self.token(of: request)
        request.query.removeAll { $0.name == "token" }
        if identity.isTrusted(peer: request.remoteAddress), request.header("X-Forwarded-Proto")?.lowercased() == "https" {
            request.scheme = "https"
        }
        var route = Route(path: request.path)
        // /metrics refused is a page that does not exist, in every way the client can see: 404
        // whatever the method or parameters, a request of the budget, the same headers.
        if route == .metrics, !metricsAccess.allows(request) { route = .notFound }
        // A browser's preflight, before a page of another site sends a request of its own: free,
        // as it reads nothing. Where other sites may not read, OPTIONS is a method not allowed.
        if request.method == "OPTIONS", let crossOrigin, route != .notFound {
            return finished(crossOrigin.preflight(), route, request, started)
        }
        // A bad `format` is reported by the routes that read it; errors before then are JSON.
        let requested = Result { try Representation(request) }
        let representation = route.hasNoPage ? .json : (try? requested.get()) ?? .json

        // A bulk query is read first: it costs one request of the budget per query it holds.
        let bulk = route == .listing && request.method == "POST" ? Result { try BulkRequest(body: request.body, schema: schema) } : nil
        let cost = (try? bulk?.get())?.cost ?? 1

        switch admission(of: request, route: route, token: token, cost: cost, representation) {
        case .refuse(let refusal):
            return finished(refusal, route, request, started)
        case .proceed(let budgetHeaders):
            var response = answer(request, route, requested, representation, bulk: bulk)
            response.headers += budgetHeaders
            return finished(response, route, request, started)
        }
    }

    private func finished(_ answered: Response, _ route: Route, _ request: Request, _ started: Double) -> Response {
        var response = Compression.apply(to: answered, acceptEncoding: request.header("Accept-Encoding"))
        if let crossOrigin, ["GET", "HEAD", "POST"].contains(request.method) { response.headers += crossOrigin.headers }
        metrics.record(route: route.metricsLabel(method: request.method), status: response.status,
                       seconds: ProcessInfo.processInfo.systemUptime - started)
        return response
    }

    private func answer(_ request: Request, _ route: Route, _ requested: Result<Representation, Error>,
                        _ representation: Representation, bulk: Result<BulkRequest, Error>?) -> Response {
        guard route != .notFound else {
            return Responses.error(404, "no such page: \(request.path.prefix(200))", as: representation)
        }
        guard route.allowedMethods.contains(request.method) else {
            var response = Responses.error(405, "\(request.method.prefix(20)) is not allowed here; use \(route.allowedMethods.joined(separator: ", "))", as: representation)
            response.headers.append(("Allow", route.allowedMethods.joined(separator: ", ")))
            return response
        }
        do {
            try Self.checkParameters(request.query, of: route)
            switch route {
            case .listing:
                if let bulk { return try bulkListing(try bulk.get(), request) }
                return try listing(request, try requested.get())
            case .detail(let id): return try detail(id, request, try requested.get().withoutTables())
            case .photometry(let id): return try photometry(id, try requested.get())
            case .cutout(let id, let kind): return try cutout(id, kind: kind, request)
            case .avro(let id): return try avro(id)
            case .latest: return try latest(try requested.get().withoutTables())
            case .objects: return try objectListing(request, try requested.get())
            case .object(let name): return try objectPage(name, request, try requested.get())
            case .objectRedirect(let name): return try objectRedirect(name, request, representation)
            case .health: return try health(request)
            case .help: return help(try requested.get().withoutTables())
            case .metrics: return metricsText()
            case .rubin(let rubinRoute): return try rubin(rubinRoute, request, representation)
            case .notFound: return Responses.error(404, "no such page", as: representation)
            }
        } catch let error as ParameterError {
            return Responses.error(400, error.message, parameter: error.parameter, as: representation)
        } catch let error as StoreError {
            return databaseFailure(error, representation)
        } catch {
            Log.serve("\(request.method) \(request.path): \(error)")
            return Responses.error(500, "internal error", as: representation)
        }
    }

    /// Every parameter must be one the route takes, given once: a misspelt or repeated one
    /// would otherwise be silently ignored, or read as the first or the last.
    static func checkParameters(_ query: [(name: String, value: String)], of route: Route) throws {
        for (name, value) in query where name.utf8.contains(0) || value.utf8.contains(0) {
            throw ParameterError(name.split(separator: "\u{0}").first.map(String.init) ?? "", "a parameter holds a NUL byte (%00)")
        }
        var seen = Set<String>()
        for (name, value) in query where !value.isEmpty {
            guard seen.insert(name).inserted else { throw ParameterError(name, "\(name.prefix(40)) is given more than once") }
        }
        guard let allowed = route.parameters else { return }
        for (name, _) in query where !allowed.contains(name) {
            let takes = allowed.isEmpty ? "no parameters" : allowed.sorted().joined(separator: ", ")
            throw ParameterError(name, "unknown parameter '\(name.prefix(40))'; this page takes \(takes)")
        }
    }

    /// What a database error means for the client.
    private func databaseFailure(_ error: StoreError, _ representation: Representation) -> Response {
        switch error {
        case .unavailable:
            Log.serve("\(error)")
            var response = Responses.error(503, "the database is unavailable; try again shortly", as: representation)
            response.headers.append(("Retry-After", "5"))
            return response
        case .timedOut:
            return Responses.error(400, "the query took longer than \(Archive.statementTimeoutSeconds) s; add a more selective filter (a time range, a cone, an objectId)", as: representation)
        case .rejectedValue:
            // A value the server could not use (out of range for its column, ...): the client's.
            // Parsing checks every value first, so this is rare; PostgreSQL's words (and the
            // statement's shape) stay in the log.
            Log.serve("\(error)")
            return Responses.error(400, "a value of this request is out of range; see /help/ for what each parameter takes", as: representation)
        case .failed:
            Log.serve("\(error)")
            return Responses.error(500, "internal error", as: representation)
        }
    }
}
