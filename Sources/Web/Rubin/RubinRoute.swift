/// The routes under `/rubin/`, Rubin's alerts beside ZTF's (whose routes, MARS's, stay where
/// they are). Trailing slashes are optional.
enum RubinRoute: Equatable {
    /// `/rubin/`: the sources listing.
    case listing
    /// `/rubin/<diaSourceId>/`: one source with its history and forced photometry.
    case source(Int64)
    /// `/rubin/<diaSourceId>/avro/`: the packet as it arrived, an Avro container.
    case avro(Int64)
    /// `/rubin/<diaSourceId>/cutout/<kind>/`: a stamp as received, or as PNG.
    case cutout(Int64, kind: String)
    /// `/rubin/objects/`: the objects listing.
    case objects
    /// `/rubin/objects/<diaObjectId>/`: one object and its light curve.
    case object(Int64)
    /// `/rubin/latest/`: the newest Rubin alert and its age.
    case latest
    case notFound

    /// The path after `/rubin`, split at its slashes.
    init(_ parts: ArraySlice<Substring>) {
        let parts = Array(parts)
        switch parts.count {
        case 0: self = .listing
        case 1:
            switch parts[0] {
            case "objects": self = .objects
            case "latest": self = .latest
            default: self = Self.id(parts[0]).map { .source($0) } ?? .notFound
            }
        case 2:
            if parts[0] == "objects" {
                self = Self.id(parts[1]).map { .object($0) } ?? .notFound
            } else {
                self = parts[1] == "avro" ? Self.id(parts[0]).map { .avro($0) } ?? .notFound : .notFound
            }
        case 3:
            guard let id = Self.id(parts[0]), parts[1] == "cutout",
                  let kind = Route.cutoutKinds.first(where: { $0.lowercased() == parts[2].lowercased() }) else {
                self = .notFound
                return
            }
            self = .cutout(id, kind: kind)
        default: self = .notFound
        }
    }

    /// Parameters the route takes besides `token`; nil for the listings, whose filters their
    /// catalogues know.
    var parameters: Set<String>? {
        switch self {
        case .listing, .objects: return nil
        case .source, .object, .latest, .notFound: return ["format"]
        case .cutout: return ["format", "stretch"]
        case .avro: return []
        }
    }

    var metricsLabel: String {
        switch self {
        case .listing: return "rubin_listing"
        case .source: return "rubin_source"
        case .cutout: return "rubin_cutout"
        case .avro: return "rubin_avro"
        case .objects: return "rubin_objects"
        case .object: return "rubin_object"
        case .latest: return "rubin_latest"
        case .notFound: return "not_found"
        }
    }

    /// Rubin's ids (diaSourceId, diaObjectId): 1 to 19 digits that fit a bigint.
    private static func id(_ part: Substring) -> Int64? {
        guard (1...19).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(part)
    }
}
