import Model
import Postgres

/// A column of a table as the database reports it.
public struct TableColumn: Equatable, Sendable {
    public let name: String
    public let type: PostgresType
    /// Filled by the database (identity or a default), so the loader leaves it out unless it has a value.
    public let isGenerated: Bool

    public init(name: String, type: PostgresType, isGenerated: Bool) {
        (self.name, self.type, self.isGenerated) = (name, type, isGenerated)
    }
}

extension Connection {
    /// The columns of `table`, in their order, read from the catalogue. The loader maps packet
    /// fields to these by name, so a migration that adds a column needs no code change.
    public func columns(of table: String) throws -> [TableColumn] {
        try execute("""
            SELECT attname::text AS name, atttypid AS type, attidentity <> '' OR atthasdef AS generated
            FROM pg_attribute
            WHERE attrelid = to_regclass(\(table)) AND attnum > 0 AND NOT attisdropped
            ORDER BY attnum
            """).rows.map { row in
            TableColumn(name: try row.decode("name"), type: PostgresType(oid: UInt32(try row.decode("type", as: Int64.self))),
                        isGenerated: try row.decode("generated"))
        }
    }
}

/// The columns of the tables the loader writes, as the database reports them.
public struct StoreColumns: Sendable {
    public let candidate: [TableColumn]
    public let history: [TableColumn]
    /// Those of the Rubin tables.
    public let rubin: RubinColumns

    /// The columns COPY fills: everything the database does not generate itself.
    public init(candidate: [TableColumn], history: [TableColumn], rubin: RubinColumns) {
        self.candidate = candidate.filter { !$0.isGenerated }
        self.history = history.filter { !$0.isGenerated }
        self.rubin = rubin
    }

    public static func read(from db: Connection) throws -> StoreColumns {
        let candidate = try db.columns(of: "candidate"), history = try db.columns(of: "prv_candidate")
        guard !candidate.isEmpty, !history.isEmpty else {
            throw AlertDBError.database("the database has no alertdb tables (\(db.target)); run `alertdb migrate` first")
        }
        return StoreColumns(candidate: candidate, history: history, rubin: try RubinColumns.read(from: db))
    }
}
