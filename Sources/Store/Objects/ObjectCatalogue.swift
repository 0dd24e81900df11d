import Model
import Postgres

/// One column of the `object` table (Migrations/0007_objects.sql): its name in the API, its
/// type, what it means.
public struct ObjectColumn: Sendable {
    public let name: String
    public let type: PostgresType
    /// One line for `/help/`, the form and the OpenAPI document.
    public let help: String
    /// True for the figures every stored object has: an object exists because one of its
    /// alerts is stored, and an alert always has its jd. Sorting by them needs no care for
    /// missing values, so the default order walks the (lastjd, objectId) index.
    let alwaysPresent: Bool
    /// The VOUnit of the figure (`d`, `deg`, `mag`), nil for counts and names: VOTable's FIELD unit.
    public let unit: String?
    /// The UCD1+ of the figure (`pos.eq.ra;meta.main`): VOTable's FIELD ucd.
    public let ucd: String?

    init(name: String, type: PostgresType, help: String, alwaysPresent: Bool, unit: String? = nil, ucd: String? = nil) {
        (self.name, self.type, self.help, self.alwaysPresent, self.unit, self.ucd) = (name, type, help, alwaysPresent, unit, ucd)
    }

    /// `o."name"`: the column in the statements over `object o`.
    public var sql: SQL { "o.\(SQL.identifier(name))" }
}

/// The objects listing's columns, filters and sort values: the one table the parsing, the SQL,
/// the form, `/help/` and the OpenAPI document are made from, as `FilterCatalogue` is for alerts.
public enum ObjectCatalogue {
    /// Every column of `object`, in table order. A figure is NULL when nothing measured it
    /// (no detection in that filter): missing values are NULL here, never NaN or -999.
    public static let columns: [ObjectColumn] = {
        var columns = [
            ObjectColumn(name: "objectId", type: .text, help: "ZTF object name, e.g. ZTF18abcdefg", alwaysPresent: true, ucd: "meta.id;meta.main"),
            ObjectColumn(name: "nalerts", type: .int4, help: "alerts of the object stored here", alwaysPresent: true, ucd: "meta.number"),
            ObjectColumn(name: "ndet", type: .int4,
                         help: "distinct detections: stored alerts and the detections their histories carry, each once",
                         alwaysPresent: true, ucd: "meta.number"),
            ObjectColumn(name: "firstjd", type: .float8, help: "Julian date of the first detection", alwaysPresent: true, unit: "d", ucd: "time.epoch"),
            ObjectColumn(name: "lastjd", type: .float8, help: "Julian date of the last detection", alwaysPresent: true, unit: "d", ucd: "time.epoch;meta.main"),
            ObjectColumn(name: "ra", type: .float8, help: "mean right ascension of the detections (J2000, degrees)", alwaysPresent: false, unit: "deg", ucd: "pos.eq.ra;meta.main"),
            ObjectColumn(name: "dec", type: .float8, help: "mean declination of the detections (J2000, degrees)", alwaysPresent: false, unit: "deg", ucd: "pos.eq.dec;meta.main"),
        ]
        for filter in ZTFFilter.names {
            columns += [
                ObjectColumn(name: "brightest_\(filter)", type: .float4,
                             help: "the smallest magpsf of the detections in \(filter)", alwaysPresent: false, unit: "mag", ucd: "phot.mag;em.opt;stat.min"),
                ObjectColumn(name: "lastmag_\(filter)", type: .float4,
                             help: "magpsf of the latest detection in \(filter)", alwaysPresent: false, unit: "mag", ucd: "phot.mag;em.opt"),
                ObjectColumn(name: "lastjd_\(filter)", type: .float8,
                             help: "Julian date of the latest detection in \(filter)", alwaysPresent: false, unit: "d", ucd: "time.epoch"),
            ]
        }
        columns.append(ObjectColumn(name: "latest_id", type: .int8, help: "id (lco_id) of the latest stored alert: /<id>/",
                                    alwaysPresent: true, ucd: "meta.id"))
        return columns
    }()

    private static let byName = Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0) })

    /// The column named `name`, if `object` has one.
    public static func column(_ name: String) -> ObjectColumn? { byName[name] }

    /// The columns that are numbers a client may compare and sort by: every figure but the
    /// name and the latest alert's id (an id orders nothing a scientist asks about).
    public static let numericColumns: [ObjectColumn] = columns.filter { $0.type.isNumber && $0.name != "latest_id" }

    /// Columns `sort_value` accepts, the default (`lastjd`) first.
    public static let sortValues: [String] = ["lastjd"] + numericColumns.map(\.name).filter { $0 != "lastjd" }

    /// Every filter: `cone`, then `column__gt|gte|lt|lte` for each numeric column.
    public static let filters: [FilterSpec] = {
        var filters = [FilterSpec(parameter: "cone", column: "ra", op: .cone, type: .cone,
                                  help: "ra,dec,radius in degrees: objects whose mean position is within radius of (ra, dec)",
                                  isMARS: false)]
        let suffixes: [(String, FilterSpec.Operator, String)] = [
            ("gt", .greater, "greater than"), ("gte", .greaterOrEqual, "at least"),
            ("lt", .less, "less than"), ("lte", .lessOrEqual, "at most"),
        ]
        for column in numericColumns {
            for (suffix, op, words) in suffixes {
                filters.append(FilterSpec(parameter: "\(column.name)__\(suffix)", column: column.name, op: op, type: .real,
                                          help: "\(column.name) \(words) this value", isMARS: false))
            }
        }
        return filters
    }()

    private static let filtersByParameter = Dictionary(uniqueKeysWithValues: filters.map { ($0.parameter, $0) })

    /// The filter named `parameter`, if there is one.
    public static func filter(_ parameter: String) -> FilterSpec? { filtersByParameter[parameter] }

    /// What a filter expression (`where=`) may name over `object o`: every column by name, as
    /// stored (a figure nothing measured is NULL, never NaN or a sentinel, so a column is its
    /// own value in science terms), objectId as text in the case ZTF writes it, and the mean
    /// position for `cone()`: what `where=` on `/objects/` compiles against.
    public static let expressionCatalogue = ExpressionCatalogue(
        columns: columns.map { column in
            column.type.isNumber
                ? ExpressionCatalogue.Column(name: column.name, kind: .number(column.type), value: column.sql, stored: (column.sql, nil))
                : ExpressionCatalogue.Column(name: column.name, kind: .text, value: column.sql, stored: (column.sql, nil),
                                             textForm: { (try? ValueParsing.objectId($0, "where")) ?? $0 })
        },
        position: ("o.ra", "o.dec"))

    /// Compiles filter expressions over objects, within the alert listing's limits.
    public static let expressions = ExpressionCompiler(catalogue: expressionCatalogue, limits: ListingQuery.expressionLimits)
}
