import Postgres

/// Turns rows of `candidate` or `prv_candidate` (selected with `*`) into the API's records:
/// typed values by column name, with `wall_time` and `filter` derived from jd and fid.
struct RowDecoder {
    private enum Kind { case integer, real, text, bool, skip }
    private let result: QueryResult
    /// Per column: how to read it, `.skip` for columns the API does not show.
    private let kinds: [Kind]
    private let names: [String]
    private let index: [String: Int]

    /// Columns the tables keep for their own bookkeeping, not fields of a ZTF record.
    static let hidden: Set<String> = ["id", "objectId", "schemavsn", "publisher", "schema_id", "ingested_at", "extra", "prv_keys", "match_count"]

    init(_ result: QueryResult) {
        self.result = result
        names = (0..<result.columnCount).map { result.columnName($0) }
        kinds = (0..<result.columnCount).map { column -> Kind in
            if Self.hidden.contains(result.columnName(column)) { return .skip }
            switch result.columnType(column) {
            case 20, 21, 23: return .integer      // int8, int2, int4
            case 700, 701, 1700: return .real     // float4, float8, numeric
            case 25, 1043: return .text           // text, varchar
            case 16: return .bool
            default: return .skip
            }
        }
        index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Rows holding an alert: a page with no alert comes back as one row of NULLs beside its count.
    var count: Int { result.rowCount == 1 && index["id"].map({ result.isNull(0, $0) }) == true ? 0 : result.rowCount }

    func text(_ row: Int, _ column: String) -> String? { index[column].flatMap { result[row, $0] } }
    func int64(_ row: Int, _ column: String) -> Int64? { index[column].flatMap { result.int64(row, $0) } }
    func double(_ row: Int, _ column: String) -> Double? { index[column].flatMap { result.double(row, $0) } }

    /// Every field of the row by ZTF name, then `wall_time` and `filter`.
    func fields(_ row: Int) -> Fields {
        var fields = Fields()
        fields.entries.reserveCapacity(names.count + 2)
        for (column, name) in names.enumerated() where kinds[column] != .skip {
            if result.isNull(row, column) {
                fields.append(name, .null)
                continue
            }
            switch kinds[column] {
            case .integer: fields.append(name, result.int64(row, column).map { .integer($0) } ?? .null)
            case .real: fields.append(name, result.double(row, column).map { .real($0) } ?? .null)   // NaN, Infinity parse too
            case .text: fields.append(name, .text(result[row, column] ?? ""))
            case .bool: fields.append(name, .bool(result[row, column] == "t"))
            case .skip: break
            }
        }
        let jd = double(row, "jd")
        fields.append("wall_time", jd.map { .text(JulianDate.isoTime($0)) } ?? .null)
        fields.append("filter", int64(row, "fid").flatMap { Self.filterName($0) }.map { .text($0) } ?? .null)
        return fields
    }

    /// One alert row of `candidate`.
    func alert(_ row: Int) -> AlertRecord {
        AlertRecord(id: int64(row, "id") ?? 0, objectId: text(row, "objectId") ?? "", publisher: text(row, "publisher"),
                    candid: int64(row, "candid") ?? 0, candidate: fields(row))
    }

    static func filterName(_ fid: Int64) -> String? {
        switch fid {
        case 1: return "g"
        case 2: return "r"
        case 3: return "i"
        default: return nil
        }
    }
}
