/// A PostgreSQL type, by OID (`pg_type.oid`). The types alertdb reads and writes have names
/// here: the one table of types for parameters, results, casts and binary COPY. A value is
/// just its OID, so that reading thousands of cells copies no string.
public struct PostgresType: Hashable, Sendable, CustomStringConvertible {
    public let oid: UInt32

    public init(oid: UInt32) { self.oid = oid }

    public static let bool = PostgresType(oid: 16)
    public static let bytea = PostgresType(oid: 17)
    public static let nameType = PostgresType(oid: 19)
    public static let int8 = PostgresType(oid: 20)
    public static let int2 = PostgresType(oid: 21)
    public static let int4 = PostgresType(oid: 23)
    public static let text = PostgresType(oid: 25)
    public static let oidType = PostgresType(oid: 26)
    public static let float4 = PostgresType(oid: 700)
    public static let float8 = PostgresType(oid: 701)
    public static let textArray = PostgresType(oid: 1009)
    public static let int8Array = PostgresType(oid: 1016)
    public static let float8Array = PostgresType(oid: 1022)
    public static let varchar = PostgresType(oid: 1043)
    public static let timestamptz = PostgresType(oid: 1184)
    public static let numeric = PostgresType(oid: 1700)
    public static let jsonb = PostgresType(oid: 3802)
    /// No type given: the server infers it from the statement.
    public static let unknown = PostgresType(oid: 0)

    /// The names `format_type` prints and a cast takes (`double precision`, not `float8`).
    private static let names: [PostgresType: String] = [
        .bool: "boolean", .bytea: "bytea", .nameType: "name", .int8: "bigint", .int2: "smallint", .int4: "integer",
        .text: "text", .oidType: "oid", .float4: "real", .float8: "double precision", .textArray: "text[]",
        .int8Array: "bigint[]", .float8Array: "double precision[]", .varchar: "character varying", .timestamptz: "timestamp with time zone",
        .numeric: "numeric", .jsonb: "jsonb", .unknown: "unknown",
    ]

    /// The type's SQL name; `oid N` for a type not in the table.
    public var name: String { Self.names[self] ?? "oid \(oid)" }

    /// The type `format_type` calls `name`, or nil for types not in the table.
    public init?(name: String) {
        guard let known = Self.names.first(where: { $0.value == name })?.key else { return nil }
        self = known
    }

    public var description: String { name }

    public var isInteger: Bool { self == .int2 || self == .int4 || self == .int8 }
    public var isFloatingPoint: Bool { self == .float4 || self == .float8 }
    /// Integer or floating point (numeric, arbitrary precision, is not read as a number here).
    public var isNumber: Bool { isInteger || isFloatingPoint }
    public var isText: Bool { self == .text || self == .varchar || self == .nameType }
}
