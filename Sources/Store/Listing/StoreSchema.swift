import Model
import Postgres

/// What the query layer learns from the database at start: the candidate table's numeric
/// columns (each gets `__gt/__gte/__lt/__lte` filters and may be a sort key) and their types.
public struct StoreSchema: Sendable {
    public let catalogue: FilterCatalogue
    /// The type of every numeric column, for binding values in exactly the column's type
    /// (a `real` compared with a `double precision` parameter would compare widened values).
    let columnTypes: [String: PostgresType]
    /// Columns `sort_value` accepts, `jd` first.
    public let sortValues: [String]
    /// The names of an alert's `candidate` fields in the API, in order.
    public let candidateFields: [String]

    /// Columns that are bookkeeping rather than measurements: no filter, no sort.
    static let internalColumns: Set<String> = ["id", "schema_id"]

    public init(numericColumns: [(name: String, type: PostgresType)], candidateColumns: [String] = []) {
        let usable = numericColumns.filter { !Self.internalColumns.contains($0.name) }
        catalogue = FilterCatalogue(numericColumns: usable.map(\.name))
        columnTypes = Dictionary(usable.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        sortValues = ["jd"] + usable.map(\.name).filter { $0 != "jd" }
        candidateFields = candidateColumns.filter { !RowDecoder.hidden.contains($0) } + ["wall_time", "filter"]
    }

    /// Reads the candidate table's columns from the catalogue.
    public static func read(from db: Connection) throws -> StoreSchema {
        let all = try db.columns(of: "candidate")
        let columns = all.filter { $0.type.isNumber }
        guard !columns.isEmpty else {
            throw AlertDBError.database("the database has no alertdb tables (\(db.target)); run `alertdb migrate` first")
        }
        return StoreSchema(numericColumns: columns.map { ($0.name, $0.type) }, candidateColumns: all.map(\.name))
    }

    func type(of column: String) -> PostgresType { columnTypes[column] ?? .float8 }
}
