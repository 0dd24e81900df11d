import Model
import Postgres

/// An alert's `candidate` fields as PostgreSQL prints them, each already a JSON value, for the
/// listing's JSON.
///
/// A listing page of 100 alerts not rendered before, some 110 fields each, cost the server 12 to
/// 15 ms of CPU when every number was parsed from PostgreSQL's text and printed again through
/// Jansson (two thirds of it glibc's `strtod` and `printf`); with the fields joined as printed,
/// the whole request costs it about 3.5 ms (`Docs/query.md`). The fields and values are those
/// `RowDecoder.fields` reads (which the alert's own page shows), less `wall_time` and `filter`,
/// which the server derives:
/// - `real` columns print as PostgreSQL prints them, the shortest text that reads back as the
///   same single-precision number: what Jansson printed from it too, with 15 digits;
/// - `double precision` columns print with 15 significant digits (`Responses.realPrecision` in
///   the server): PostgreSQL prints them whole and `DoubleText` rounds the digits;
/// - text and booleans print through `to_json`, escaped as JSON;
/// - NaN and infinities are null (JSON has neither), as is a missing value.
public struct CandidateJSON: Sendable {
    /// The field names, in the table's order.
    public let names: [String]
    /// Per field: a number that JSON readers should keep as a real (`1.0`, not `1`).
    private let reals: [Bool]
    /// Per field: a `double precision` value, to be rounded to 15 significant digits.
    private let doubles: [Bool]
    /// The select list over the candidate row `c`, one column per field.
    private let selectList: SQL

    init(columns: [(name: String, type: PostgresType)]) {
        var names: [String] = [], reals: [Bool] = [], doubles: [Bool] = [], items: [SQL] = []
        for (name, type) in columns {
            let column: SQL = "c.\(SQL.identifier(name))"
            let kind = RowDecoder.kind(name: name, type: type)
            switch kind {
            case .integer, .real: items.append(column)
            case .text, .bool: items.append("to_json(\(column))::text")
            case .skip: continue
            }
            names.append(name)
            reals.append(kind == .real)
            doubles.append(kind == .real && type == .float8)
        }
        self.names = names
        self.reals = reals
        self.doubles = doubles
        selectList = SQL.joined(items, separator: ", ")
    }

    /// The alerts `ids` that exist, by id, each field written after its key in `keys` (one per
    /// name in `names`, `"name":` as JSON).
    func alerts(ids: [Int64], keys: [[UInt8]], db: Connection) throws -> [Int64: AlertCells] {
        precondition(keys.count == names.count, "a key for each field")
        guard !ids.isEmpty else { return [:] }
        let result = try db.executeWithGenericPlan("""
            SELECT c.id, c."objectId", c.publisher, c.candid, c.jd, c.fid, \(selectList)
            FROM candidate c WHERE c.id = ANY(\(ids))
            """)
        let first = 6
        var found: [Int64: AlertCells] = [:]
        for row in 0..<result.rowCount {
            var members: [UInt8] = []
            members.reserveCapacity(4096)
            for field in 0..<names.count {
                if field > 0 { members.append(UInt8(ascii: ",")) }
                members += keys[field]
                try result.withBytes(row, first + field) { value in
                    guard let value else { return members += Self.null }
                    if reals[field] { Self.appendReal(value, roundingDouble: doubles[field], to: &members) } else { members += value }
                }
            }
            let id = try result.decode(row, 0, as: Int64.self)
            found[id] = AlertCells(id: id, objectId: try result.decode(row, 1), publisher: try result.decode(row, 2),
                                   candid: try result.decode(row, 3), jd: try result.decode(row, 4), fid: try result.decode(row, 5),
                                   members: members)
        }
        return found
    }

    private static let null = Array("null".utf8)

    /// A real as JSON: null for NaN and infinities, which PostgreSQL prints as words; a double
    /// rounded to 15 digits; `.0` after a whole number, as Jansson writes one, so that it reads
    /// back as a real.
    private static func appendReal(_ printed: UnsafeRawBufferPointer, roundingDouble: Bool, to json: inout [UInt8]) {
        for byte in printed {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "+"): continue
            default: return json += null   // NaN, Infinity, -Infinity
            }
        }
        let start = json.count
        if roundingDouble { DoubleText.appendRounded(printed, to: &json) } else { json += printed }
        // Rounding may have made it whole (…9.9999999999999996 is …10).
        let whole = !json[start...].contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }
        if whole { json += [UInt8(ascii: "."), UInt8(ascii: "0")] }
    }
}

/// One alert of the listing: its identity, what `wall_time` and `filter` are derived from, and
/// its `candidate` fields as the members of a JSON object (`"candid":123,"jd":2458000.5,...`).
public struct AlertCells: Sendable {
    public let id: Int64
    public let objectId: String
    public let publisher: String?
    public let candid: Int64
    public let jd: Double?
    public let fid: Int64?
    public let members: [UInt8]
}
