import Avro
import Model
import Store

/// Where a column's value comes from, for one writer schema.
enum ColumnSource: Sendable {
    /// A field of the record being turned into the row (the candidate, or a history entry).
    case field(Int, FieldEncoding)
    /// A field of the alert itself (objectId, candid, schemavsn, publisher).
    case alertField(Int, FieldEncoding)
    case galacticL, galacticB, deltaMagLatest, deltaMagRef
    case schemaID
    /// The (pid, candid) keys of the packet's history entries, in packet order (`prv_keys`).
    case historyKeys
    /// Fields with no column of their own, as jsonb.
    case extra
    case null
}

/// What the loader needs to know about one alert writer schema: which field feeds which
/// column, and which fields have no column and go to `extra`. Built once per distinct schema.
final class AlertLayout {
    let schema: AvroSchema

    // Fields of the alert record.
    let objectIdField: Int
    let candidField: Int
    let candidateField: Int
    let historyField: Int?
    let cutouts: [CutoutLayout]
    let unmappedAlertFields: [(name: String, index: Int)]

    // The candidate record.
    let candidateColumns: [ColumnSource]
    let unmappedCandidateFields: [(name: String, index: Int)]
    let candidateCandidField: Int?
    let candidateFields: NamedFields

    // A history entry (prv_candidate), when the schema has history.
    let historyColumns: [ColumnSource]
    let unmappedHistoryFields: [(name: String, index: Int)]
    let historyFields: NamedFields

    struct CutoutLayout {
        let kind: String           // Science, Template, Difference
        let field: Int
        let name: String
        let fileNameField: Int?
        let stampDataField: Int?
        let unmappedFields: [(name: String, index: Int)]
    }

    /// Positions of the fields the derived columns and history keys are computed from.
    struct NamedFields {
        var jd, fid, pid, candid, ra, dec, magpsf, magnr, distnr: Int?
        init(_ fields: [(name: String, schema: AvroSchema)]) {
            func find(_ name: String) -> Int? { fields.firstIndex { $0.name == name } }
            (jd, fid, pid, candid) = (find("jd"), find("fid"), find("pid"), find("candid"))
            (ra, dec, magpsf, magnr, distnr) = (find("ra"), find("dec"), find("magpsf"), find("magnr"), find("distnr"))
        }
    }

    /// Why a schema is not an alert schema.
    struct NotAnAlert: Error, CustomStringConvertible {
        let description: String
    }

    init(schema: AvroSchema, columns: StoreColumns) throws {
        self.schema = schema
        guard schema.kind == .record else {
            throw NotAnAlert(description: "not an alert record: the file holds \(schema.kind) values")
        }
        let alertFields = schema.fields
        func field(_ name: String) -> Int? { alertFields.firstIndex { $0.name == name } }
        func required(_ name: String) throws -> Int {
            guard let index = field(name) else {
                throw NotAnAlert(description: "not a ZTF alert: record \(schema.name ?? "?") has no \(name) field")
            }
            return index
        }
        objectIdField = try required("objectId")
        candidField = try required("candid")
        candidateField = try required("candidate")
        let candidateSchema = alertFields[candidateField].schema.nonNull
        guard candidateSchema.kind == .record else {
            throw NotAnAlert(description: "not a ZTF alert: candidate is not a record")
        }
        guard alertFields[objectIdField].schema.storedKind == .string else {
            throw NotAnAlert(description: "not a ZTF alert: objectId is not a string")
        }
        guard alertFields[candidField].schema.storedKind == .long || alertFields[candidField].schema.storedKind == .int else {
            throw NotAnAlert(description: "not a ZTF alert: candid is not an integer")
        }

        // The candidate table.
        let candidateRecord = candidateSchema.fields
        var usedCandidate = Set<Int>(), usedAlert = Set<Int>([candidateField])
        candidateColumns = columns.candidate.map { column in
            switch column.name {
            case "l": return .galacticL
            case "b": return .galacticB
            case "deltamaglatest": return .deltaMagLatest
            case "deltamagref": return .deltaMagRef
            case "schema_id": return .schemaID
            case "prv_keys": return .historyKeys
            case "extra": return .extra
            default: break
            }
            if let i = field(column.name), let encoding = alertFields[i].schema.storedKind.flatMap({ FieldEncoding(avro: $0, column: column.type) }) {
                usedAlert.insert(i)
                return .alertField(i, encoding)
            }
            if let i = candidateRecord.firstIndex(where: { $0.name == column.name }),
               let encoding = candidateRecord[i].schema.storedKind.flatMap({ FieldEncoding(avro: $0, column: column.type) }) {
                usedCandidate.insert(i)
                return .field(i, encoding)
            }
            return .null
        }
        // candidate.candid repeats the alert's candid, which has the column; it is checked, not stored twice.
        candidateCandidField = candidateRecord.firstIndex { $0.name == "candid" }
        if let i = candidateCandidField { usedCandidate.insert(i) }
        unmappedCandidateFields = candidateRecord.enumerated().filter { !usedCandidate.contains($0.offset) }.map { ($0.element.name, $0.offset) }
        candidateFields = NamedFields(candidateRecord)

        // Cutouts: every alert field named cutoutScience, cutoutTemplate or cutoutDifference
        // holding a record. Another name (a damaged schema's `cutoutSciencf`) would break the
        // cutout table's check on kind, and end the run: its field goes to extra instead.
        var cutouts: [CutoutLayout] = []
        for (i, f) in alertFields.enumerated() where f.name.hasPrefix("cutout") && f.schema.nonNull.kind == .record
            && ["Science", "Template", "Difference"].contains(String(f.name.dropFirst("cutout".count))) {
            let record = f.schema.nonNull.fields
            let fileName = record.firstIndex { $0.name == "fileName" }
            let stampData = record.firstIndex { $0.name == "stampData" && $0.schema.storedKind == .bytes }
            let unmapped = record.enumerated().filter { $0.offset != fileName && $0.offset != stampData }.map { ($0.element.name, $0.offset) }
            cutouts.append(CutoutLayout(kind: String(f.name.dropFirst("cutout".count)), field: i, name: f.name,
                                        fileNameField: fileName, stampDataField: stampData, unmappedFields: unmapped))
            usedAlert.insert(i)
        }
        self.cutouts = cutouts

        // History entries.
        let historyIndex = field("prv_candidates")
        let historyRecord = historyIndex.flatMap { alertFields[$0].schema.nonNull.items?.nonNull }
        if let historyIndex, let historyRecord, historyRecord.kind == .record {
            historyField = historyIndex
            usedAlert.insert(historyIndex)
            let entry = historyRecord.fields
            var used = Set<Int>()
            let objectIdField = objectIdField
            historyColumns = columns.history.map { column in
                if column.name == "extra" { return .extra }
                if column.name == "objectId" { return .alertField(objectIdField, .text) }
                if let i = entry.firstIndex(where: { $0.name == column.name }),
                   let encoding = entry[i].schema.storedKind.flatMap({ FieldEncoding(avro: $0, column: column.type) }) {
                    used.insert(i)
                    return .field(i, encoding)
                }
                return .null
            }
            unmappedHistoryFields = entry.enumerated().filter { !used.contains($0.offset) }.map { ($0.element.name, $0.offset) }
            historyFields = NamedFields(entry)
        } else {
            historyField = nil
            historyColumns = []
            unmappedHistoryFields = []
            historyFields = NamedFields([])
        }
        unmappedAlertFields = alertFields.enumerated().filter { !usedAlert.contains($0.offset) }.map { ($0.element.name, $0.offset) }
    }
}
