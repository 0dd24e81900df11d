import Model
import Postgres

/// Turns rows of `candidate` or `prv_candidate` (selected with `*`) into the API's records:
/// typed values by column name, with `wall_time` and `filter` derived from jd and fid.
struct RowDecoder {
    enum Kind { case integer, real, text, bool, skip }
    private let result: QueryResult
    /// Per column: how to read it, `.skip` for columns the API does not show.
    private let kinds: [Kind]

    /// Columns the tables keep for their own bookkeeping, not fields of a ZTF record.
    static let hidden: Set<String> = ["id", "objectId", "schemavsn", "publisher", "schema_id", "ingested_at", "extra", "prv_keys", "match_count"]

    init(_ result: QueryResult) {
        self.result = result
        kinds = result.columns.map { Self.kind(name: $0.name, type: $0.type) }
    }

    /// How a column is read, `.skip` for one that is not a field of the record.
    static func kind(name: String, type: PostgresType) -> Kind {
        if hidden.contains(name) { return .skip }
        if type.isInteger { return .integer }
        if type.isFloatingPoint || type == .numeric { return .real }
        if type.isText { return .text }
        return type == .bool ? .bool : .skip
    }

    /// Rows holding an alert: a page with no alert comes back as one row of NULLs beside its count.
    var count: Int {
        guard result.rowCount == 1, let id = result.column(named: "id") else { return result.rowCount }
        return result.isNull(0, id) ? 0 : 1
    }

    func decode<Value: PostgresDecodable>(_ row: Int, _ column: String, as type: Value.Type = Value.self) throws -> Value {
        try result[row].decode(column, as: type)
    }

    /// Every field of the row by ZTF name, then `wall_time` and `filter`.
    func fields(_ row: Int) throws -> Fields {
        var fields = Fields()
        fields.entries.reserveCapacity(kinds.count + 2)
        for (column, kind) in kinds.enumerated() where kind != .skip {
            let name = result.columns[column].name
            if result.isNull(row, column) {
                fields.append(name, .null)
                continue
            }
            switch kind {
            case .integer: fields.append(name, .integer(try result.decode(row, column)))
            case .real: fields.append(name, .real(try result.decode(row, column)))   // NaN, Infinity too
            case .text: fields.append(name, .text(try result.decode(row, column)))
            case .bool: fields.append(name, .bool(try result.decode(row, column)))
            case .skip: break
            }
        }
        let jd = try decode(row, "jd", as: Double?.self)
        fields.append("wall_time", jd.map { .text(JulianDate.isoTime($0)) } ?? .null)
        let fid = try decode(row, "fid", as: Int64?.self)
        fields.append("filter", fid.flatMap { ZTFFilter.name(fid: $0) }.map { .text($0) } ?? .null)
        return fields
    }

    /// One alert row of `candidate`.
    func alert(_ row: Int) throws -> AlertRecord {
        AlertRecord(id: try decode(row, "id"), objectId: try decode(row, "objectId"), publisher: try decode(row, "publisher"),
                    candid: try decode(row, "candid"), candidate: try fields(row))
    }
}
