import Model
import Postgres

/// One Rubin table as the listings read it (`dia_source d` or `dia_object o`): its columns and
/// types as the database reports them, read once when `serve` starts, so that a column a later
/// schema version adds is a filter at once. Column names reach the SQL only from here.
public struct RubinTable: Sendable {
    public let name: String
    /// The alias the statements use (`d`, `o`).
    let alias: String
    /// The key (`diaSourceId`, `diaObjectId`): every row has one, and it breaks ties of the order.
    public let key: String
    /// The column the listing is ordered by when no `sort_value` is given, largest first:
    /// the observation time for sources (newest first, as ZTF's listing), the key for objects.
    public let defaultSort: String
    /// Numeric and text columns, by name.
    public let columnTypes: [String: PostgresType]
    /// The columns a listing's row holds, in table order, as the CSV and VOTable answers write
    /// them: every scalar column (numbers, text, booleans, the load time) less bookkeeping.
    public let listedColumns: [TableColumn]
    /// Compiles `where=` over the table's columns.
    let expressions: ExpressionCompiler
    /// A row as the listing's JSON gives it.
    let json: RubinRowJSON
    /// A bigint column whose value changes whenever the rest of a row does (an object's latest
    /// source), so that the server can keep a row's JSON under it; nil when rows never change.
    let version: String?

    init(name: String, alias: String, key: String, defaultSort: String? = nil, version: String? = nil,
         columns: [TableColumn], notInJSON: Set<String>) {
        (self.name, self.alias, self.key) = (name, alias, key)
        self.version = version.flatMap { name in columns.contains { $0.name == name } ? name : nil }
        json = RubinRowJSON(alias: alias, columns: columns, leaving: notInJSON)
        // A database whose table lacks the time column (none that alertdb migrated) still lists, by key.
        self.defaultSort = defaultSort.flatMap { name in columns.contains { $0.name == name } ? name : nil } ?? key
        let shown = columns.filter { ($0.type.isNumber || $0.type.isText) && $0.name != "schema_id" }
        // Less the columns of old versions' names whose current column the table has: the loader
        // fills the current one (`RubinFieldNames`), so the old one is empty in every row but a
        // broker's that sent both names.
        let names = Set(columns.map(\.name))
        listedColumns = columns.filter { column in
            (column.type.isNumber || column.type.isText || column.type == .bool || column.type == .timestamptz) && column.name != "schema_id"
                && !(RubinFieldNames.current[column.name].map(names.contains) ?? false)
        }
        columnTypes = Dictionary(shown.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        var catalogue: [ExpressionCatalogue.Column] = []
        for column in shown.sorted(by: { $0.name < $1.name }) {
            let sql: SQL = "\(SQL(unchecked: alias)).\(SQL.identifier(column.name))"
            if column.type.isText {
                catalogue.append(.init(name: column.name, kind: .text, value: sql, stored: (sql, nil)))
            } else {
                // NaN, which Rubin sends for what was not measured, reads as no value.
                let presence: SQL? = column.type.isFloatingPoint ? "\(sql) <> 'NaN'" : nil
                let value: SQL = column.type.isFloatingPoint ? "nullif(\(sql), 'NaN')" : sql
                catalogue.append(.init(name: column.name, kind: .number(column.type), value: value, stored: (sql, presence)))
            }
        }
        let position: (ra: SQL, dec: SQL)? = columnTypes["ra"] != nil && columnTypes["dec"] != nil
            ? ("\(SQL(unchecked: alias)).ra", "\(SQL(unchecked: alias)).dec") : nil
        expressions = ExpressionCompiler(catalogue: ExpressionCatalogue(columns: catalogue, position: position),
                                         limits: ListingQuery.expressionLimits)
    }

    /// `alias."name"` for a column of the table.
    func column(_ name: String) -> SQL { "\(SQL(unchecked: alias)).\(SQL.identifier(name))" }

    /// The filters the listing takes, besides `cone` and `where`: every number column with
    /// `__gt`, `__gte`, `__lt` and `__lte`, and every column for equality by its own name.
    public var filterNames: [String] {
        columnTypes.keys.sorted().flatMap { name in
            [name] + (columnTypes[name]!.isNumber ? ["gt", "gte", "lt", "lte"].map { "\(name)__\($0)" } : [])
        }
    }
}

/// The Rubin tables the web service reads.
public struct RubinCatalogue: Sendable {
    public let sources: RubinTable
    public let objects: RubinTable
    /// A source, its history rows and forced photometry, as the source's page gives them.
    let source: RubinRowJSON
    let history: RubinRowJSON
    let forced: RubinRowJSON

    public static func read(from db: Connection) throws -> RubinCatalogue {
        // `extra` (fields with no column) is given only on a source's own page; the packet's
        // lists of its history rows and its writer schema, nowhere.
        let sources = try db.columns(of: "dia_source")
        let notListed: Set<String> = ["extra", "diaObject", "prvDiaSourceIds", "prvDiaForcedSourceKeys", "schema_id"]
        return RubinCatalogue(
            sources: RubinTable(name: "dia_source", alias: "d", key: "diaSourceId", defaultSort: "midpointMjdTai", columns: sources, notInJSON: notListed),
            objects: RubinTable(name: "dia_object", alias: "o", key: "diaObjectId", version: "latestDiaSourceId",
                                columns: try db.columns(of: "dia_object"), notInJSON: ["extra"]),
            source: RubinRowJSON(alias: "d", columns: sources, leaving: notListed, adding: ["extra", "diaObject"]),
            history: RubinRowJSON(alias: "p", columns: try db.columns(of: "prv_dia_source"), leaving: ["extra"]),
            forced: RubinRowJSON(alias: "f", columns: try db.columns(of: "prv_dia_forced_source"), leaving: ["extra"]))
    }
}
