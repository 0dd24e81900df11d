/// Every route of the service, described once: the help page's table, the `routes` of
/// `/help/?format=json` and the list of routes free of rate limiting are all made from it.
struct RouteDescription: Sendable {
    let method: String
    /// The path as documented (`/<id>/cutout/<kind>/`).
    let path: String
    /// A route of this kind, for what the enum knows about it (its budget).
    let route: Route
    /// One sentence: what it returns.
    let summary: String

    /// Whether requests to it are free of rate limiting.
    var isFree: Bool { route.rateLimitKind == nil }

    static let all: [RouteDescription] = [
        RouteDescription(method: "GET", path: "/", route: .listing,
                         summary: "The listing: alerts matching the filters, newest first, 100 a page. HTML, or JSON with ?format=json; a table with ?format=csv or ?format=votable."),
        RouteDescription(method: "POST", path: "/", route: .listing,
                         summary: "MARS's bulk form: up to 10 queries in one JSON body, up to 1,000 results each."),
        RouteDescription(method: "GET", path: "/<id>/", route: .detail(0),
                         summary: "One alert by its id (lco_id), with its history and cutout links."),
        RouteDescription(method: "GET", path: "/<id>/photometry/", route: .photometry(0),
                         summary: "The object's light curve: every detection and upper limit, by jd (also ?format=csv or votable)."),
        RouteDescription(method: "GET", path: "/<id>/cutout/<kind>/", route: .cutout(0, kind: "Science"),
                         summary: "A cutout (Science, Template or Difference) as stored: gzipped FITS or JPEG; ?format=png for a PNG."),
        RouteDescription(method: "GET", path: "/<id>/avro/", route: .avro(0),
                         summary: "The alert packet as an Avro container file, as it was ingested."),
        RouteDescription(method: "GET", path: "/latest/", route: .latest, summary: "The newest stored alert and its age."),
        RouteDescription(method: "GET", path: "/objects/", route: .objects,
                         summary: "The objects listing: one row per object (alerts, detections, first and last detection, mean position, brightest and latest magnitude per filter), filtered like the alerts, 100 a page, the most recently detected first (also ?format=csv or votable)."),
        RouteDescription(method: "GET", path: "/objects/<objectId>/", route: .object(""),
                         summary: "One object by its name (any letter case): its figures and its whole light curve, every alert, detection and non-detection once, by jd (as a table of the light curve with ?format=csv or votable)."),
        RouteDescription(method: "GET", path: "/<objectId>/", route: .objectRedirect(""),
                         summary: "A permanent redirect (301) to /objects/<objectId>/, or 404 when no alert of that object is stored."),
        RouteDescription(method: "GET", path: "/rubin/", route: .rubin(.listing),
                         summary: "Rubin's alerts matching the filters (Rubin's column names), newest observation first, 100 a page; JSON, HTML, CSV or VOTable."),
        RouteDescription(method: "GET", path: "/rubin/<diaSourceId>/", route: .rubin(.source(0)),
                         summary: "One Rubin alert with the history and forced photometry its packet carried, its object and stamps."),
        RouteDescription(method: "GET", path: "/rubin/<diaSourceId>/cutout/<kind>/", route: .rubin(.cutout(0, kind: "Science")),
                         summary: "A Rubin stamp (Science, Template or Difference) as received: FITS; ?format=png for a PNG."),
        RouteDescription(method: "GET", path: "/rubin/<diaSourceId>/avro/", route: .rubin(.avro(0)),
                         summary: "A Rubin alert as the packet it arrived as: an Avro container with its writer schema."),
        RouteDescription(method: "GET", path: "/rubin/objects/", route: .rubin(.objects),
                         summary: "Rubin's objects (their latest state) matching the filters, newest first; JSON, HTML, CSV or VOTable."),
        RouteDescription(method: "GET", path: "/rubin/objects/<diaObjectId>/", route: .rubin(.object(0)),
                         summary: "One Rubin object: its latest state and light curve per band, flux and AB magnitude, forced photometry apart."),
        RouteDescription(method: "GET", path: "/rubin/latest/", route: .rubin(.latest), summary: "The newest Rubin alert and its age."),
        RouteDescription(method: "GET", path: "/health", route: .health, summary: "{\"status\": \"ok\"} when the database answers, else 503; max_age, max_lag: also 503 when staler."),
        RouteDescription(method: "GET", path: "/help/", route: .help,
                         summary: "This page; as JSON, the filters, sort values, routes and rate limits."),
        RouteDescription(method: "GET", path: "/metrics", route: .metrics,
                         summary: "Figures for monitoring, in Prometheus' text format: for the operator's Prometheus only (ALERTDB_METRICS_ALLOW), a 404 for anyone else."),
    ]

    /// The paths that cost no request of any budget.
    static var freePaths: [String] { all.filter(\.isFree).map(\.path) }
}
