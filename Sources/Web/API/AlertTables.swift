import Export
import Model
import Store

/// The rows of the listings, an object's light curve and the photometry as tables (CSV,
/// VOTable): one flat row per alert, object or point, the same values as the JSON. A missing
/// value (NULL, NaN, one of ZTF's sentinels, `ssnamenr`'s "null") is `.null`: an empty cell,
/// where the JSON's `candidate` keeps the packet's own -999.
enum AlertTables {
    /// One row per alert: `lco_id`, `objectId`, `publisher`, then every `candidate` field in
    /// the JSON's order (its `candid` among them).
    /// The listing's table, without rows: they are written one by one (`alertRow`) and kept.
    static func alerts(columns: [DataTable.Column], infos: [(name: String, value: String)]) -> DataTable {
        DataTable(name: "alerts", description: "ZTF alerts, one row per alert, as the listing's JSON results.",
                  columns: columns, rows: [], infos: infos)
    }

    /// The listing's columns: `lco_id`, `objectId`, `publisher`, then every field of `candidate`.
    static func alertColumns(_ schema: StoreSchema) -> [DataTable.Column] {
        [TableColumns.candidate("lco_id", .long), TableColumns.candidate("objectId", .char), TableColumns.candidate("publisher", .char)]
            + schema.candidateFields.map { name in TableColumns.candidate(name, schema.columnType(name).map(TableColumns.dataType) ?? .char) }
    }

    /// One alert's row of the listing's table; `fields` are the schema's `candidateFields`.
    static func alertRow(_ alert: AlertRecord, fields: [String]) -> [FieldValue] {
        var row: [FieldValue] = [.integer(alert.id), .text(alert.objectId), alert.publisher.map { .text($0) } ?? .null]
        row.reserveCapacity(fields.count + 3)
        let entries = alert.candidate.entries
        for (index, name) in fields.enumerated() {
            // The entries come in the schema's order: look by position, by name only if not.
            let value = index < entries.count && entries[index].name == name ? entries[index].value : alert.candidate[name]
            row.append(scienceValue(value, name))
        }
        return row
    }

    /// One row per object: `objectId`, then every figure.
    static func objects(_ objects: [ObjectRecord], infos: [(name: String, value: String)]) -> DataTable {
        let figures = ObjectCatalogue.columns.filter { $0.name != "objectId" }
        let columns = [TableColumns.figure(ObjectCatalogue.column("objectId")!)] + figures.map(TableColumns.figure)
        let rows = objects.map { object in [FieldValue.text(object.objectId)] + figures.map { object.figures[$0.name] } }
        return DataTable(name: "objects", description: "ZTF objects, one row per object, as the objects listing's JSON results.",
                         columns: columns, rows: rows, infos: infos)
    }

    /// The object's light curve: one row per alert, detection and non-detection, by jd; `kind`,
    /// `lco_id` (alerts only), then every field any point has, in the order they first appear.
    static func lightCurve(_ detail: ObjectDetail) -> DataTable {
        var names: [String] = []
        var seen = Set<String>()
        for entry in detail.lightCurve {
            for (name, _) in entry.candidate.entries where seen.insert(name).inserted { names.append(name) }
        }
        let rows = detail.lightCurve.map { entry -> [FieldValue] in
            let byName = Dictionary(entry.candidate.entries.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            let (kind, id): (String, FieldValue)
            switch entry.kind {
            case .alert(let alertID): (kind, id) = ("alert", .integer(alertID))
            case .detection: (kind, id) = ("detection", .null)
            case .nonDetection: (kind, id) = ("nondetection", .null)
            }
            return [.text(kind), id] + names.map { scienceValue(byName[$0] ?? .null, $0) }
        }
        let columns = [TableColumns.candidate("kind", .char), TableColumns.candidate("lco_id", .long)]
            + names.enumerated().map { index, name in TableColumns.candidate(name, TableColumns.dataType(of: rows.map { $0[index + 2] })) }
        return DataTable(name: "lightcurve_\(detail.object.objectId)",
                         description: "The light curve of \(detail.object.objectId): every stored alert, history detection and non-detection, each once, by jd.",
                         columns: columns, rows: rows, infos: [("objectId", detail.object.objectId)])
    }

    /// The photometry of an alert's object: one row per point, by jd.
    static func photometry(_ alert: AlertRecord, _ points: [PhotometryPoint]) -> DataTable {
        let columns = [TableColumns.candidate("jd", .double), TableColumns.candidate("filter", .char),
                       TableColumns.candidate("magpsf", .double), TableColumns.candidate("sigmapsf", .double),
                       TableColumns.candidate("diffmaglim", .double), TableColumns.candidate("isdiffpos", .char)]
        func real(_ value: Double?) -> FieldValue { value.map { .real($0) } ?? .null }
        let rows = points.map { point -> [FieldValue] in
            [.real(point.jd), .text(point.filter), real(point.magpsf), real(point.sigmapsf), real(point.diffmaglim),
             point.isdiffpos.map { .text($0) } ?? .null]
        }
        return DataTable(name: "photometry_\(alert.objectId)",
                         description: "The photometry of \(alert.objectId) (from alert \(alert.id)): detections and upper limits, by jd.",
                         columns: columns, rows: rows, infos: [("objectId", alert.objectId), ("lco_id", String(alert.id))])
    }

    /// `value` of field `name` in science terms: NaN and infinities (which JSON writes as null),
    /// ZTF's sentinels (`ZTFMissingValues`) and `ssnamenr`'s "null" are missing.
    static func scienceValue(_ value: FieldValue, _ name: String) -> FieldValue {
        switch value {
        case .real(let d) where !d.isFinite || ZTFMissingValues.isMissing(d, in: name): return .null
        case .integer(let i) where ZTFMissingValues.sentinels.contains(Double(i)) && ZTFMissingValues.columns[name] != nil: return .null
        case .text(let s) where name == "ssnamenr" && ZTFTextValues.ssnamenr(s) == nil: return .null
        default: return value
        }
    }
}
