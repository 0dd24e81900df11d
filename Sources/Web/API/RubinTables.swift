import Export
import JSON
import Model
import Postgres
import Store

/// The Rubin listings as tables (CSV, VOTable): one flat row per source or object, read from
/// the same JSON the listing answers with, so that the formats cannot disagree. A missing
/// value (null, or NaN, which Rubin sends for what was not measured and the JSON writes "NaN")
/// is `.null`: an empty CSV field, a null VOTable cell.
enum RubinTables {
    /// The listing's table, without rows (they are written one by one).
    static func listing(_ table: RubinTable, columns: [DataTable.Column], infos: [(name: String, value: String)]) -> DataTable {
        let objects = table.name == "dia_object"
        return DataTable(name: objects ? "rubin_objects" : "rubin_alerts",
                         description: objects ? "Rubin objects (their latest state), one row per object, as the objects listing's JSON results."
                                              : "Rubin alerts, one row per alert (its diaSource), as the listing's JSON results.",
                         columns: columns, rows: [], infos: infos)
    }

    /// The table's scalar columns in table order, and for sources the `mag` the JSON adds.
    static func columns(_ table: RubinTable) -> [DataTable.Column] {
        var columns = table.listedColumns.map { column in
            RubinColumnMeaning.column(column.name, column.type == .timestamptz ? .char : TableColumns.dataType(column.type))
        }
        if table.name == "dia_source" { columns.append(RubinColumnMeaning.column("mag", .double)) }
        return columns
    }

    /// One row of the JSON's results as the table's row.
    static func row(_ json: JSONValue, _ columns: [DataTable.Column]) -> [FieldValue] {
        let members = Dictionary(json.members.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        return columns.map { column in members[column.name].map { value($0, column.type) } ?? .null }
    }

    /// A JSON scalar as a value of the column's type: "NaN" and other non-numbers in a number
    /// column are missing, as null is.
    static func value(_ json: JSONValue, _ type: DataTable.Column.DataType) -> FieldValue {
        guard let text = json.scalarText else { return .null }
        switch type {
        case .short, .int, .long:
            return Int64(text).map { .integer($0) } ?? .null
        case .float, .double:
            guard json.kind == .integer || json.kind == .real, let number = Double(text), number.isFinite else { return .null }
            return .real(number)
        case .boolean:
            return json.kind == .bool ? .bool(text == "true") : .null
        case .char:
            return .text(text)
        }
    }
}
