/// One stored value, typed for the JSON API and the HTML pages.
public enum FieldValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bool(Bool)

    public var double: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .real(let d): return d
        default: return nil
        }
    }

    public var string: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}

/// An ordered list of named values: a candidate or history row as the API shows it.
public struct Fields: Sendable {
    public var entries: [(name: String, value: FieldValue)]

    public init(_ entries: [(name: String, value: FieldValue)] = []) { self.entries = entries }

    public subscript(name: String) -> FieldValue {
        entries.first { $0.name == name }?.value ?? .null
    }

    public mutating func append(_ name: String, _ value: FieldValue) { entries.append((name, value)) }
}

/// One alert as the listing and the detail page show it, in MARS's shape.
public struct AlertRecord: Sendable {
    /// The public id (`/<id>/`, MARS's `lco_id`).
    public let id: Int64
    public let objectId: String
    public let publisher: String?
    public let candid: Int64
    /// Every candidate field by its ZTF name, then `wall_time`, `filter`, `l`, `b`,
    /// `deltamaglatest` and `deltamagref`.
    public let candidate: Fields

    public init(id: Int64, objectId: String, publisher: String?, candid: Int64, candidate: Fields) {
        (self.id, self.objectId, self.publisher, self.candid, self.candidate) = (id, objectId, publisher, candid, candidate)
    }
}

/// One point of an object's history: another alert, a history detection or a non-detection.
public struct HistoryEntry: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Another stored alert of the same object (its id links to its page).
        case alert(id: Int64)
        /// A previous detection carried in `prv_candidates`.
        case detection
        /// An upper limit: the object was not detected; only jd, fid and diffmaglim are known.
        case nonDetection
    }

    public let kind: Kind
    /// Fields by ZTF name, including `wall_time` and `filter`.
    public let candidate: Fields

    public init(kind: Kind, candidate: Fields) { (self.kind, self.candidate) = (kind, candidate) }
}

/// One point of a light curve.
public struct PhotometryPoint: Sendable, Equatable {
    public let jd: Double
    /// g, r or i.
    public let filter: String
    /// Nil for a non-detection.
    public let magpsf: Double?
    public let sigmapsf: Double?
    public let diffmaglim: Double?
    /// "t" for a positive subtraction, "f" for a negative one (`ZTFTextValues.isdiffpos`);
    /// nil for a non-detection.
    public let isdiffpos: String?

    public init(jd: Double, filter: String, magpsf: Double?, sigmapsf: Double?, diffmaglim: Double?, isdiffpos: String?) {
        (self.jd, self.filter, self.magpsf, self.sigmapsf, self.diffmaglim, self.isdiffpos) = (jd, filter, magpsf, sigmapsf, diffmaglim, isdiffpos)
    }

    /// True when the source was brighter in the science image than in the template.
    public var isPositive: Bool { isdiffpos.map(ZTFTextValues.isdiffpos) == "t" }
}

/// The newest stored alert, for "Latest alert: <time> (<age> ago)".
public struct LatestAlert: Sendable {
    public let id: Int64
    public let candid: Int64
    public let jd: Double
    /// ISO 8601 UTC, e.g. 2018-06-01T04:35:12.345Z.
    public let wallTime: String
    /// Seconds between the alert's time and now.
    public let ageSeconds: Double
    /// When an alert was last stored (Unix time), whichever it was: a night's alerts arrive
    /// out of order and late, so an archive can be fresh while its newest observation is old.
    public let storedAt: Double?

    public init(id: Int64, candid: Int64, jd: Double, wallTime: String, ageSeconds: Double, storedAt: Double? = nil) {
        (self.id, self.candid, self.jd, self.wallTime, self.ageSeconds, self.storedAt) = (id, candid, jd, wallTime, ageSeconds, storedAt)
    }

    /// Seconds since an alert was last stored, at `now` (Unix time).
    public func storedAgeSeconds(now: Double) -> Double? { storedAt.map { now - $0 } }
}

/// The cutouts stored for one alert, without their bytes.
public struct CutoutInfo: Sendable {
    /// Science, Template or Difference.
    public let kind: String
    public let fileName: String?
    /// FITS (gzipped, schema 3.x) or JPEG (2017 packets).
    public let format: StampFormat

    public init(kind: String, fileName: String?, format: StampFormat) { (self.kind, self.fileName, self.format) = (kind, fileName, format) }
}
