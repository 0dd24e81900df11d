/// The PostgreSQL types alertdb reads and writes, by OID (`pg_type.oid`), with their SQL
/// names: the one table of types for parameters, results, casts and binary COPY.
public struct PostgresType: Hashable, Sendable, CustomStringConvertible {
    public let oid: UInt32
    /// The name `format_type` prints and a cast takes (`double precision`, not `float8`).
    public let name: String

    public init(oid: UInt32, name: String) {
        self.oid = oid
        self.name = name
    }

    public var description: String { name }

    public static let bool = PostgresType(oid: 16, name: "boolean")
    public static let bytea = PostgresType(oid: 17, name: "bytea")
    public static let int8 = PostgresType(oid: 20, name: "bigint")
    public static let int2 = PostgresType(oid: 21, name: "smallint")
    public static let int4 = PostgresType(oid: 23, name: "integer")
    public static let text = PostgresType(oid: 25, name: "text")
    public static let oidType = PostgresType(oid: 26, name: "oid")
    public static let jsonb = PostgresType(oid: 3802, name: "jsonb")
    public static let float4 = PostgresType(oid: 700, name: "real")
    public static let float8 = PostgresType(oid: 701, name: "double precision")
    public static let varchar = PostgresType(oid: 1043, name: "character varying")
    public static let numeric = PostgresType(oid: 1700, name: "numeric")
    public static let timestamptz = PostgresType(oid: 1184, name: "timestamp with time zone")
    public static let int8Array = PostgresType(oid: 1016, name: "bigint[]")
    public static let textArray = PostgresType(oid: 1009, name: "text[]")
    /// No type given: the server infers it from the statement.
    public static let unknown = PostgresType(oid: 0, name: "unknown")

    /// Every type above, to look one up by OID or name.
    public static let known: [PostgresType] = [
        .bool, .bytea, .int8, .int2, .int4, .text, .oidType, .jsonb, .float4, .float8, .varchar, .numeric,
        .timestamptz, .int8Array, .textArray,
    ]

    private static let byOID = Dictionary(known.map { ($0.oid, $0) }, uniquingKeysWith: { first, _ in first })
    private static let byName = Dictionary(known.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The type of OID `oid`; an unnamed one (`oid 1234`) for types not in the table.
    public init(oid: UInt32) {
        self = Self.byOID[oid] ?? PostgresType(oid: oid, name: "oid \(oid)")
    }

    /// The type `format_type` calls `name`, or nil for types not in the table.
    public init?(name: String) {
        guard let known = Self.byName[name] else { return nil }
        self = known
    }

    public var isInteger: Bool { self == .int2 || self == .int4 || self == .int8 }
    public var isFloatingPoint: Bool { self == .float4 || self == .float8 }
    /// Integer or floating point (numeric, arbitrary precision, is not read as a number here).
    public var isNumber: Bool { isInteger || isFloatingPoint }
    public var isText: Bool { self == .text || self == .varchar }
}
