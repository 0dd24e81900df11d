import Postgres

/// How a column's values travel in binary COPY.
public enum ColumnType: Equatable, Sendable {
    case int4, int8, float4, float8, text, bool, bytea, jsonb, int2
    /// A type the loader never fills from a packet (e.g. timestamptz with a default).
    case other(String)

    init(sqlName: String) {
        switch sqlName {
        case "integer": self = .int4
        case "bigint": self = .int8
        case "smallint": self = .int2
        case "real": self = .float4
        case "double precision": self = .float8
        case "text", "character varying": self = .text
        case "boolean": self = .bool
        case "bytea": self = .bytea
        case "jsonb": self = .jsonb
        default: self = .other(sqlName)
        }
    }

    /// The SQL name of the type, for casts.
    var sqlName: String {
        switch self {
        case .int2: return "smallint"
        case .int4: return "integer"
        case .int8: return "bigint"
        case .float4: return "real"
        case .float8: return "double precision"
        case .text: return "text"
        case .bool: return "boolean"
        case .bytea: return "bytea"
        case .jsonb: return "jsonb"
        case .other(let name): return name
        }
    }
}

/// A column of a table as the database reports it.
public struct TableColumn: Equatable, Sendable {
    public let name: String
    public let type: ColumnType
    /// Filled by the database (identity or a default), so the loader leaves it out unless it has a value.
    public let isGenerated: Bool
}

extension Connection {
    /// The columns of `table`, in their order, read from the catalogue. The loader maps packet
    /// fields to these by name, so a migration that adds a column needs no code change.
    public func columns(of table: String) throws -> [TableColumn] {
        let rows = try execute("""
            SELECT attname, format_type(atttypid, NULL), attidentity <> '' OR atthasdef
            FROM pg_attribute
            WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped
            ORDER BY attnum
            """, [table]).rows
        return rows.map { TableColumn(name: $0[0]!, type: ColumnType(sqlName: $0[1]!), isGenerated: $0[2] == "t") }
    }
}
