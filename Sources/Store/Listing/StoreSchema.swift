import Model
import Postgres

/// What the query layer learns from the database at start: the candidate table's numeric
/// columns (each gets `__gt/__gte/__lt/__lte` filters and may be a sort key) and their types.
public struct StoreSchema: Sendable {
    public let catalogue: FilterCatalogue
    /// The type of every column of `candidate` (numeric ones bind values in exactly their own
    /// type: a `real` compared with a `double precision` parameter compares widened values).
    let columnTypes: [String: PostgresType]
    /// Columns `sort_value` accepts, `jd` first.
    public let sortValues: [String]
    /// The names of an alert's `candidate` fields in the API, in order.
    public let candidateFields: [String]
    /// Those fields, less `wall_time` and `filter`, as PostgreSQL prints them for the JSON listing.
    public let candidateJSON: CandidateJSON
    /// Compiles `where=` expressions over the alert's columns (`expressionCatalogue()`).
    public private(set) var expressions = ExpressionCompiler(catalogue: ExpressionCatalogue(columns: [], position: nil))

    /// Columns that are bookkeeping rather than measurements: no filter, no sort.
    static let internalColumns: Set<String> = ["id", "schema_id"]

    /// `columns`: every column of `candidate` with its type, in table order.
    public init(columns: [(name: String, type: PostgresType)]) {
        let numeric = columns.filter { $0.type.isNumber && !Self.internalColumns.contains($0.name) }
        let shown = columns.filter { !RowDecoder.hidden.contains($0.name) }
        catalogue = FilterCatalogue(numericColumns: numeric.map(\.name),
                                    integerColumns: numeric.filter { $0.type.isInteger }.map(\.name),
                                    textColumns: shown.filter { $0.type.isText }.map(\.name))
        columnTypes = Dictionary(columns.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        sortValues = ["jd"] + numeric.map(\.name).filter { $0 != "jd" }
        candidateFields = columns.map(\.name).filter { !RowDecoder.hidden.contains($0) } + ["wall_time", "filter"]
        candidateJSON = CandidateJSON(columns: columns)
        expressions = ExpressionCompiler(catalogue: expressionCatalogue(), limits: ListingQuery.expressionLimits)
    }

    /// Reads the candidate table's columns from the catalogue.
    public static func read(from db: Connection) throws -> StoreSchema {
        let columns = try db.columns(of: "candidate")
        guard columns.contains(where: { $0.type.isNumber }) else {
            throw AlertDBError.database("the database has no alertdb tables (\(db.target)); run `alertdb migrate` first")
        }
        return StoreSchema(columns: columns.map { ($0.name, $0.type) })
    }

    func type(of column: String) -> PostgresType { columnTypes[column] ?? .float8 }

    /// The type of `column`, or nil when `candidate` has no such column.
    public func columnType(_ column: String) -> PostgresType? { columnTypes[column] }

    /// Columns every alert has (its time and identity): sorting by them needs no care for
    /// missing values, so the listing's default order keeps walking the (jd, id) index.
    static let alwaysPresent: Set<String> = ["jd", "id", "candid"]

    /// `c."column"`, the column of the alert in the listing's statements.
    func column(_ name: String) -> SQL { "c.\(SQL.identifier(name))" }

    /// What a value of `column` must also be, beyond not NULL (which any comparison requires
    /// already), to be a value at all: not NaN (which PostgreSQL sorts above every number, so
    /// `sgscore1__gte=0.5` would match it), not one of ZTF's sentinels (`ZTFMissingValues`).
    /// Nil when the column can hold neither.
    func presence(of name: String) -> SQL? {
        let column = self.column(name)
        var conditions: [SQL] = []
        if type(of: name).isFloatingPoint { conditions.append("\(column) <> 'NaN'") }
        if ZTFMissingValues.columns[name] != nil {
            conditions.append("\(column) NOT IN (\(SQL.joined(ZTFMissingValues.sentinels.map { "\($0)" }, separator: ", ")))")
        }
        return conditions.isEmpty ? nil : SQL.joined(conditions, separator: " AND ")
    }

    /// The column's value in science terms: NaN and sentinels as NULL (so that a missing value
    /// behaves as SQL's NULL in every comparison and function), `isdiffpos` as "t" or "f"
    /// whichever form the packet used, `ssnamenr`'s "null" as NULL (`ZTFTextValues`). What
    /// filters on text and the expression language read.
    func value(_ name: String) -> SQL {
        let column = self.column(name)
        switch name {
        case "isdiffpos": return "(CASE \(column) WHEN '1' THEN 't' WHEN '0' THEN 'f' ELSE \(column) END)"
        case "ssnamenr": return "NULLIF(\(column), 'null')"
        default: break
        }
        guard let presence = presence(of: name) else { return column }
        return "(CASE WHEN \(presence) THEN \(column) END)"
    }

    /// True when the alert has no value in `column`: NULL, NaN or a sentinel. Nil for the
    /// columns every alert has.
    func missing(_ name: String) -> SQL? {
        guard !Self.alwaysPresent.contains(name) else { return nil }
        let column = self.column(name)
        guard let presence = presence(of: name) else { return "\(column) IS NULL" }
        return "(\(column) IS NULL OR NOT (\(presence)))"
    }
}
