import Export
import Model
import Postgres
import Store

/// The columns of the CSV and VOTable answers, with the meaning the catalogues give them:
/// candidate fields from `Pages.candidateFieldDocs` (description, unit) and
/// `Pages.candidateFieldUCDs`, object figures from `ObjectCatalogue`.
enum TableColumns {
    /// The VOTable type of a PostgreSQL column type.
    static func dataType(_ type: PostgresType) -> DataTable.Column.DataType {
        switch type {
        case .int2: return .short
        case .int4: return .int
        case .int8: return .long
        case .float4: return .float
        case .bool: return .boolean
        default: return type.isNumber ? .double : .char
        }
    }

    /// The type the values of a column have when no table declares it (an object's light curve
    /// mixes `candidate` and `prv_candidate` rows): integers if all are, else reals, else text.
    static func dataType(of values: [FieldValue]) -> DataTable.Column.DataType {
        var kinds = Set<String>()
        for value in values {
            switch value {
            case .null: continue
            case .integer: kinds.insert("integer")
            case .real: kinds.insert("real")
            case .text: kinds.insert("text")
            case .bool: kinds.insert("bool")
            }
        }
        if kinds == ["integer"] { return .long }
        if kinds == ["bool"] { return .boolean }
        if kinds.isEmpty || kinds.isSubset(of: ["integer", "real"]) { return .double }
        return .char
    }

    /// The candidate field `name` (or an alert's identity: lco_id, objectId) with its meaning.
    static func candidate(_ name: String, _ type: DataTable.Column.DataType) -> DataTable.Column {
        let description = Pages.candidateFieldDocs[name] ?? identityDocs[name]
        return DataTable.Column(name: name, type: type, unit: Pages.candidateFieldUnit(name),
                                ucd: Pages.candidateFieldUCDs[name], description: description)
    }

    /// The object figure `column`.
    static func figure(_ column: ObjectColumn) -> DataTable.Column {
        DataTable.Column(name: column.name, type: dataType(column.type), unit: column.unit, ucd: column.ucd, description: column.help)
    }

    /// Columns beside an alert's candidate fields.
    static let identityDocs: [String: String] = [
        "lco_id": "alertdb's id of the alert (its page is /<lco_id>/).",
        "objectId": "ZTF object name, e.g. ZTF18abcdefg.",
        "publisher": "Who published the alert.",
        "kind": "alert (a stored alert, with its lco_id), detection (from an alert's history) or nondetection (an upper limit).",
    ]
}
