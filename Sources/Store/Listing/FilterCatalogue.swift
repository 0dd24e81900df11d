import Model

/// One query parameter of the listing: which column it constrains, how, and what it accepts.
/// The listing's parsing, its SQL, the HTML form, `/help/` and the OpenAPI document are all
/// driven by this table, so a new filter is one entry here.
public struct FilterSpec: Sendable {
    public enum Operator: String, Sendable {
        case equal, greater, greaterOrEqual, less, lessOrEqual
        /// `cone=ra,dec,radius`: within radius degrees of (ra, dec), through q3c.
        case cone
        /// Equal to any of objectidps1, objectidps2, objectidps3.
        case anyPS1Object
        /// `time__since=s`: jd later than s seconds before now.
        case since
        /// `column__in=a,b,c`: equal to any of the values (up to `FilterSpec.maxListValues`).
        case inList
        /// `objectcone=name,radius`: within radius degrees of a stored object's newest alert.
        case nearObject
    }

    public enum ValueType: String, Sendable {
        case real, integer, text
        /// An ISO 8601 date or date-time (UTC unless it says otherwise), compared as jd.
        case time
        /// g, r or i, compared as fid 1, 2, 3.
        case filterName
        /// Three numbers: ra, dec, radius in degrees.
        case cone
        /// A number of seconds.
        case seconds
        /// ZTF object names, any letter case, one or a comma list.
        case objectId
        /// An object name and a radius in degrees.
        case objectCone
    }

    /// Values a list filter (`__in`, `objectId`) takes at most.
    public static let maxListValues = 100

    public let parameter: String
    /// The candidate column compared (for cone: ra/dec through q3c).
    public let column: String
    public let op: Operator
    public let type: ValueType
    /// One line for the form, `/help/` and the OpenAPI document.
    public let help: String
    /// One of MARS's own parameters (shown in the HTML form), as opposed to the generic
    /// `column__op` filters alertdb adds for every numeric column.
    public let isMARS: Bool
}

/// Every filter the listing accepts, by parameter name.
public struct FilterCatalogue: Sendable {
    public let filters: [FilterSpec]
    private let byParameter: [String: FilterSpec]

    public subscript(parameter: String) -> FilterSpec? { byParameter[parameter] }

    /// MARS's filters, then `column__gt|gte|lt|lte` for each of `numericColumns` that MARS
    /// does not already name (so `rb__gte` keeps MARS's meaning and `rb__lt` is added), and
    /// `column` and `column__in` for each of `integerColumns` and `textColumns` (`fid=1`,
    /// `field__in=346,347`, `isdiffpos=t`).
    public init(numericColumns: [String], integerColumns: [String] = [], textColumns: [String] = []) {
        var filters = Self.mars
        var seen = Set(filters.map(\.parameter))
        let suffixes: [(String, FilterSpec.Operator, String)] = [
            ("gt", .greater, "greater than"), ("gte", .greaterOrEqual, "at least"),
            ("lt", .less, "less than"), ("lte", .lessOrEqual, "at most"),
        ]
        for column in numericColumns {
            for (suffix, op, words) in suffixes where seen.insert("\(column)__\(suffix)").inserted {
                filters.append(FilterSpec(parameter: "\(column)__\(suffix)", column: column, op: op, type: .real,
                                          help: "\(column) \(words) this value", isMARS: false))
            }
        }
        for (columns, type) in [(integerColumns, FilterSpec.ValueType.integer), (textColumns, .text)] {
            for column in columns {
                if seen.insert(column).inserted {
                    filters.append(FilterSpec(parameter: column, column: column, op: .equal, type: type,
                                              help: "\(column) equal to this value", isMARS: false))
                }
                if seen.insert("\(column)__in").inserted {
                    filters.append(FilterSpec(parameter: "\(column)__in", column: column, op: .inList, type: type,
                                              help: "\(column) equal to one of these comma-separated values", isMARS: false))
                }
            }
        }
        self.filters = filters
        byParameter = Dictionary(filters.map { ($0.parameter, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// MARS's parameters with MARS's meaning, in the order its form shows them.
    static let mars: [FilterSpec] = {
        func spec(_ parameter: String, _ column: String, _ op: FilterSpec.Operator, _ type: FilterSpec.ValueType, _ help: String) -> FilterSpec {
            FilterSpec(parameter: parameter, column: column, op: op, type: type, help: help, isMARS: true)
        }
        return [
            spec("objectId", "objectId", .inList, .objectId, "ZTF object name, e.g. ZTF18abcdefg, in any letter case; or up to 100, comma-separated"),
            spec("candid", "candid", .equal, .integer, "ZTF candidate id of one alert"),
            spec("cone", "ra", .cone, .cone, "ra,dec,radius in degrees: alerts within radius of (ra, dec)"),
            spec("objectcone", "ra", .nearObject, .objectCone, "objectId,radius in degrees: alerts within radius of that object's newest alert"),
            spec("objectidps", "objectidps1", .anyPS1Object, .integer, "Pan-STARRS1 object id of any of the three nearest PS1 sources"),
            spec("ra__gt", "ra", .greater, .real, "right ascension (J2000, degrees) greater than"),
            spec("ra__lt", "ra", .less, .real, "right ascension (J2000, degrees) less than"),
            spec("dec__gt", "dec", .greater, .real, "declination (J2000, degrees) greater than"),
            spec("dec__lt", "dec", .less, .real, "declination (J2000, degrees) less than"),
            spec("l__gt", "l", .greater, .real, "galactic longitude (degrees) greater than"),
            spec("l__lt", "l", .less, .real, "galactic longitude (degrees) less than"),
            spec("b__gt", "b", .greater, .real, "galactic latitude (degrees) greater than"),
            spec("b__lt", "b", .less, .real, "galactic latitude (degrees) less than"),
            spec("time__gt", "jd", .greater, .time, "observed after this UTC date or date-time (ISO 8601)"),
            spec("time__lt", "jd", .less, .time, "observed before this UTC date or date-time (ISO 8601)"),
            spec("time__since", "jd", .since, .seconds, "observed within this many seconds before now"),
            spec("jd__gt", "jd", .greater, .real, "Julian date of the observation greater than"),
            spec("jd__lt", "jd", .less, .real, "Julian date of the observation less than"),
            spec("filter", "fid", .equal, .filterName, "ZTF filter: g, r or i"),
            spec("programid", "programid", .equal, .integer, "ZTF program: 1 public, 2 partnership, 3 Caltech"),
            spec("magpsf__gte", "magpsf", .greaterOrEqual, .real, "PSF-fit magnitude at least (fainter than or equal)"),
            spec("magpsf__lte", "magpsf", .lessOrEqual, .real, "PSF-fit magnitude at most (brighter than or equal)"),
            spec("sigmapsf__lte", "sigmapsf", .lessOrEqual, .real, "1-sigma uncertainty of magpsf at most"),
            spec("magap__gte", "magap", .greaterOrEqual, .real, "aperture magnitude at least"),
            spec("magap__lte", "magap", .lessOrEqual, .real, "aperture magnitude at most"),
            spec("distnr__gte", "distnr", .greaterOrEqual, .real, "distance to the nearest reference-image source (pixels) at least"),
            spec("distnr__lte", "distnr", .lessOrEqual, .real, "distance to the nearest reference-image source (pixels) at most"),
            spec("deltamaglatest__gte", "deltamaglatest", .greaterOrEqual, .real, "magpsf minus the previous detection's in the same filter, at least"),
            spec("deltamaglatest__lte", "deltamaglatest", .lessOrEqual, .real, "magpsf minus the previous detection's in the same filter, at most"),
            spec("deltamagref__gte", "deltamagref", .greaterOrEqual, .real, "magnr - magpsf (when 0 <= distnr < 2), at least"),
            spec("deltamagref__lte", "deltamagref", .lessOrEqual, .real, "magnr - magpsf (when 0 <= distnr < 2), at most"),
            spec("rb__gte", "rb", .greaterOrEqual, .real, "real-bogus score (0 bogus to 1 real) at least"),
            spec("drb__gte", "drb", .greaterOrEqual, .real, "deep-learning real-bogus score at least"),
            spec("classtar__gte", "classtar", .greaterOrEqual, .real, "SExtractor star/galaxy score (1 star) at least"),
            spec("classtar__lte", "classtar", .lessOrEqual, .real, "SExtractor star/galaxy score (1 star) at most"),
            spec("fwhm__lte", "fwhm", .lessOrEqual, .real, "full width at half maximum (pixels) at most"),
            spec("nbad__lte", "nbad", .lessOrEqual, .real, "number of bad pixels in a 5x5 box at most"),
            spec("elong__lte", "elong", .lessOrEqual, .real, "elongation (aimage/bimage) at most"),
        ]
    }()
}
