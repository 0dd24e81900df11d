import Foundation
import HTTP
import JSON
import Model
import Store

extension AlertService {
    /// `GET /latest/`: the newest alert and how old it is.
    func latest(_ representation: Representation) throws -> Response {
        let latest = try archive.read { try $0.latest() }
        switch representation {
        case .json, .csv, .votable:
            guard let latest else { return Responses.error(404, "no alert is stored yet", as: .json) }
            return Responses.json(AlertJSON.latest(latest, full: true))
        case .html:
            return Responses.html(Pages.latest(latest), status: latest == nil ? 404 : 200)
        }
    }

    /// `GET /health`: 200 when the database answers a query, 503 otherwise. With
    /// `max_age=SECONDS`, also 503 when no alert was stored for that long: a load balancer or a
    /// cron job sees a stalled stream without reading `/metrics`. On a replica it says so, with
    /// its lag, and `max_lag=SECONDS` answers 503 when the replica trails the primary by more
    /// (or has lost it for that long), so that a load balancer sends readers elsewhere.
    func health(_ request: Request) throws -> Response {
        func limit(_ name: String) throws -> Double? {
            try request.query.last { $0.name == name && !$0.value.isEmpty }.map { try ValueParsing.seconds($0.value, name) }
        }
        let maxAge = try limit("max_age"), maxLag = try limit("max_lag")
        let body = JSONValue.object()
        let storedAt: Double?, replication: ReplicationStatus
        do {
            (storedAt, replication) = try archive.read { db in
                (maxAge == nil ? nil : try db.statistics().lastStoredAt, try db.replication())
            }
        } catch {
            // The database's own words (its host and port among them) are for the log.
            Log.serve("health: \(error)")
            body.set("status", .string("unavailable"))
            var response = Responses.json(body, status: 503)
            response.headers.append(("Retry-After", "5"))
            return response
        }
        var healthy = true
        if replication.isReplica {
            body.set("role", .string("replica"))
            body.set("receiving", .bool(replication.receiving))
            body.set("replication_lag_seconds", replication.lagSeconds.map { .real(Self.milliseconds($0)) } ?? .null())
            if let maxLag {
                body.set("max_lag", .real(maxLag))
                healthy = healthy && (replication.lagSeconds.map { $0 <= maxLag } ?? false)
            }
        } else {
            body.set("role", .string("primary"))
        }
        if let maxAge {
            let age = storedAt.map { Date().timeIntervalSince1970 - $0 }
            body.set("stored_age_seconds", age.map { .real(Self.milliseconds($0)) } ?? .null())
            body.set("max_age", .real(maxAge))
            healthy = healthy && (age.map { $0 <= maxAge } ?? false)
        }
        body.set("status", .string(healthy ? "ok" : "stale"))
        return Responses.json(body, status: healthy ? 200 : 503)
    }

    /// Seconds rounded to the millisecond, for JSON.
    private static func milliseconds(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    /// `GET /help/`: how to use the pages and the API; as JSON, the filters and routes.
    func help(_ representation: Representation) -> Response {
        switch representation {
        case .html:
            return Responses.html(Pages.help(catalogue: schema.catalogue, sortValues: schema.sortValues,
                                             candidateFields: schema.candidateFields, limits: limiter?.settings))
        case .json, .csv, .votable:
            let body = JSONValue.object()
            body.set("filters", AlertJSON.list(schema.catalogue.filters.map { spec in
                let object = JSONValue.object()
                object.set("parameter", .string(spec.parameter))
                object.set("column", .string(spec.column))
                object.set("type", .string(spec.op == .inList && spec.type != .objectId ? "list" : spec.type.rawValue))
                object.set("help", .string(spec.help))
                object.set("mars", .bool(spec.isMARS))
                return object
            }))
            body.set("expression", expressionSummary())
            body.set("controls", AlertJSON.list((ListingQuery.controlParameters + ["format"]).map { .string($0) }))
            body.set("sort_values", AlertJSON.list(schema.sortValues.map { .string($0) }))
            body.set("objects", objectsHelp())
            body.set("candidate_fields", AlertJSON.list(schema.candidateFields.map { .string($0) }))
            body.set("routes", AlertJSON.list(RouteDescription.all.map { .string("\($0.method) \($0.path)") }))
            body.set("rate_limit", rateLimitSummary())
            return Responses.json(body)
        }
    }

    /// `where=` for scripts: the names it takes and its limits (the grammar is at /help/#expressions).
    private func expressionSummary() -> JSONValue {
        let limits = ListingQuery.expressionLimits
        let summary = JSONValue.object()
        summary.set("parameter", .string("where"))
        summary.set("columns", AlertJSON.list(schema.expressions.catalogue.columns.map { .string($0.name) }))
        summary.set("functions", AlertJSON.list(["abs", "sqrt", "log10", "cone"].map { .string($0) }))
        summary.set("max_length", .integer(Int64(limits.maxLength)))
        summary.set("max_depth", .integer(Int64(limits.maxDepth)))
        summary.set("max_terms", .integer(Int64(ListingQuery.maxFilters)))
        summary.set("max_cones", .integer(Int64(ListingQuery.maxCones)))
        return summary
    }

    /// The budgets, for scripts that pace themselves: null when requests are not limited.
    private func rateLimitSummary() -> JSONValue {
        guard let settings = limiter?.settings else { return .null() }
        let summary = JSONValue.object()
        for (name, budget) in [("api", settings.budget), ("cutout", settings.budget.scaled(by: settings.cutoutFactor))] {
            let object = JSONValue.object()
            object.set("burst", .real(budget.burst))
            object.set("interval_seconds", .real(budget.interval))
            summary.set(name, object)
        }
        summary.set("exempt", AlertJSON.list(RouteDescription.freePaths.map { .string($0) }))
        return summary
    }
}
