import Model

/// The routes of the service, parsed from a request path. Trailing slashes are optional.
enum Route: Equatable {
    case listing
    case detail(Int64)
    case photometry(Int64)
    case cutout(Int64, kind: String)
    case avro(Int64)
    case latest
    /// `/objects/`: the objects listing.
    case objects
    /// `/objects/<objectId>/`: one object and its light curve (the name in any letter case).
    case object(String)
    /// `/<objectId>/`: a redirect to `/objects/<objectId>/`.
    case objectRedirect(String)
    case health
    case help
    case metrics
    /// Under `/rubin/`: Rubin's alerts and objects.
    case rubin(RubinRoute)
    case notFound

    /// The cutout kinds, as stored and as written in URLs.
    static let cutoutKinds = ["Science", "Template", "Difference"]

    init(path: String) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        switch parts.count {
        case 0:
            self = .listing
        case _ where parts[0] == "rubin":
            self = .rubin(RubinRoute(parts.dropFirst()))
        case 1:
            switch parts[0] {
            case "latest": self = .latest
            case "health": self = .health
            case "help": self = .help
            case "metrics": self = .metrics
            case "objects": self = .objects
            default:
                if let id = Self.alertID(parts[0]) {
                    self = .detail(id)
                } else {
                    self = Self.objectName(parts[0]).map { .objectRedirect($0) } ?? .notFound
                }
            }
        case 2:
            if parts[0] == "objects" {
                self = Self.objectName(parts[1]).map { .object($0) } ?? .notFound
                return
            }
            guard let id = Self.alertID(parts[0]) else { self = .notFound; return }
            switch parts[1] {
            case "photometry": self = .photometry(id)
            case "avro": self = .avro(id)
            default: self = .notFound
            }
        case 3:
            guard let id = Self.alertID(parts[0]), parts[1] == "cutout",
                  let kind = Self.cutoutKinds.first(where: { $0.lowercased() == parts[2].lowercased() }) else {
                self = .notFound
                return
            }
            self = .cutout(id, kind: kind)
        default:
            self = .notFound
        }
    }

    /// The query parameters the route takes, besides `token`; nil for the listings, whose
    /// filters their catalogues know.
    var parameters: Set<String>? {
        switch self {
        case .listing, .objects, .notFound: return nil
        case .rubin(let route): return route.parameters
        case .detail, .photometry, .latest, .help, .object, .objectRedirect: return ["format"]
        case .cutout: return ["format", "stretch"]
        case .health: return ["max_age", "max_lag", "format"]
        case .avro, .metrics: return []
        }
    }

    /// Routes without an HTML page (status, files): their errors come as JSON whatever was asked.
    var hasNoPage: Bool {
        switch self {
        case .health, .metrics, .avro, .cutout, .rubin(.cutout), .rubin(.latest), .rubin(.avro): return true
        default: return false
        }
    }

    /// Methods each route answers; HEAD is GET without the body.
    var allowedMethods: [String] { self == .listing ? ["GET", "HEAD", "POST"] : ["GET", "HEAD"] }

    /// The route's name in metrics (`bulk` is the listing's POST).
    func metricsLabel(method: String) -> String {
        switch self {
        case .listing: return method == "POST" ? "bulk" : "listing"
        case .detail: return "detail"
        case .photometry: return "photometry"
        case .cutout: return "cutout"
        case .avro: return "avro"
        case .latest: return "latest"
        case .objects: return "objects"
        case .object: return "object"
        case .objectRedirect: return "object_redirect"
        case .health: return "health"
        case .help: return "help"
        case .metrics: return "metrics"
        case .rubin(let route): return route.metricsLabel
        case .notFound: return "not_found"
        }
    }

    /// The budget a request draws on; nil for the pages that cost nothing (monitoring and help).
    var rateLimitKind: RateLimiter.Kind? {
        switch self {
        case .health, .help, .metrics: return nil
        case .cutout, .rubin(.cutout): return .cutout
        default: return .api
        }
    }

    /// An alert id: 1 to 18 digits (anything else cannot be an id, so the route does not exist).
    private static func alertID(_ part: Substring) -> Int64? {
        guard (1...18).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(part)
    }

    /// An object name: a letter, then letters and digits, at least one digit among them, 64
    /// characters at most (ZTF's are ZTF18abcdefg). Anything else (`/abc/`, `/favicon.ico`)
    /// cannot name an object, so the route does not exist and costs no query.
    private static func objectName(_ part: Substring) -> String? {
        guard (2...64).contains(part.utf8.count), let first = part.first, first.isASCII, first.isLetter,
              part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), part.contains(where: \.isNumber) else { return nil }
        return String(part)
    }
}
