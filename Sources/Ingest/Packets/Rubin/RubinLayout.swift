import Avro
import Model
import Store

/// Where a column of a Rubin table gets its value, for one writer schema.
enum RubinColumnSource: Sendable {
    /// A field of the record the row is made from (the diaSource, a history entry, the diaObject).
    case field(Int, FieldEncoding)
    /// A field of the packet itself (alertId, observation_reason, target_name).
    case alertField(Int, FieldEncoding)
    /// A record field of the packet as jsonb (dia_source's diaObject).
    case alertJSON(Int)
    case schemaID
    /// The diaSourceIds of the packet's prvDiaSources, in packet order.
    case historyIds
    /// The (diaObjectId, visit) keys of the packet's prvDiaForcedSources, in packet order.
    case forcedKeys
    /// The alert a diaObject state is from, and its time.
    case latestSourceId, latestMidpoint
    /// Fields with no column of their own, as jsonb.
    case extra
    case null
}

/// What the loader needs to know about one Rubin writer schema: which field feeds which column
/// of `dia_source`, `prv_dia_source`, `prv_dia_forced_source` and `dia_object`, and which
/// fields have no column and go to `extra`. Built once per distinct schema.
///
/// A packet is told to be Rubin's by its shape, not its record name (brokers rewriting packets
/// rename the top record, Spark to `topLevelRecord`): a record with a `diaSource` record that
/// has a `diaSourceId`. Every version from 3.0 to 11.x has that shape.
final class RubinLayout {
    let schema: AvroSchema

    /// Fields of the packet.
    let diaSourceField: Int
    /// The packet's own diaSourceId (8.0 on), stored only where it differs from its diaSource's.
    let topDiaSourceIdField: Int?
    let historyField: Int?
    let forcedField: Int?
    let objectField: Int?
    let cutouts: [(kind: String, field: Int)]
    let unmappedAlertFields: [(name: String, index: Int)]

    let sourceColumns: [RubinColumnSource]
    let unmappedSourceFields: [(name: String, index: Int)]
    let sourceFields: Positions

    let historyColumns: [RubinColumnSource]
    let unmappedHistoryFields: [(name: String, index: Int)]
    let historyFields: Positions

    let forcedColumns: [RubinColumnSource]
    let unmappedForcedFields: [(name: String, index: Int)]
    let forcedFields: Positions

    let objectColumns: [RubinColumnSource]
    let unmappedObjectFields: [(name: String, index: Int)]
    let objectFields: Positions

    /// Positions of the fields keys and order are read from.
    struct Positions {
        var diaSourceId, diaObjectId, visit, ccdVisitId, midpointMjdTai: Int?
        init(_ fields: [(name: String, schema: AvroSchema)]) {
            func find(_ name: String) -> Int? { fields.firstIndex { $0.name == name } }
            (diaSourceId, diaObjectId, visit, ccdVisitId) = (find("diaSourceId"), find("diaObjectId"), find("visit"), find("ccdVisitId"))
            midpointMjdTai = find("midpointMjdTai") ?? find("midPointTai")
        }
    }

    /// Whether `schema` has the shape of a Rubin alert.
    static func recognises(_ schema: AvroSchema) -> Bool {
        guard schema.kind == .record, let dia = schema.fields.first(where: { $0.name == "diaSource" })?.schema.nonNull,
              dia.kind == .record else { return false }
        return dia.fields.contains { $0.name == "diaSourceId" }
    }

    init(schema: AvroSchema, columns: RubinColumns) throws {
        self.schema = schema
        let alertFields = schema.fields
        func field(_ name: String) -> Int? { alertFields.firstIndex { $0.name == name } }
        guard let diaSourceField = field("diaSource") else {
            throw AlertLayout.NotAnAlert(description: "not a Rubin alert: no diaSource record")
        }
        self.diaSourceField = diaSourceField
        let sourceRecord = alertFields[diaSourceField].schema.nonNull.fields
        sourceFields = Positions(sourceRecord)
        guard let id = sourceFields.diaSourceId, [.long, .int].contains(sourceRecord[id].schema.storedKind) else {
            throw AlertLayout.NotAnAlert(description: "not a Rubin alert: diaSource.diaSourceId is not an integer")
        }
        topDiaSourceIdField = field("diaSourceId").flatMap { [.long, .int].contains(alertFields[$0].schema.storedKind) ? $0 : nil }

        /// The record of an array's items (`prvDiaSources`), looking through null unions.
        func itemRecord(_ name: String) -> (Int, [(name: String, schema: AvroSchema)])? {
            guard let i = field(name), let items = alertFields[i].schema.nonNull.items?.nonNull, items.kind == .record else { return nil }
            return (i, items.fields)
        }
        func recordField(_ name: String) -> (Int, [(name: String, schema: AvroSchema)])? {
            guard let i = field(name), alertFields[i].schema.nonNull.kind == .record else { return nil }
            return (i, alertFields[i].schema.nonNull.fields)
        }
        let history = itemRecord("prvDiaSources"), forced = itemRecord("prvDiaForcedSources"), object = recordField("diaObject")
        (historyField, forcedField, objectField) = (history?.0, forced?.0, object?.0)

        var usedAlert = Set([diaSourceField] + [historyField, forcedField, objectField, topDiaSourceIdField].compactMap { $0 })
        var cutouts: [(kind: String, field: Int)] = []
        for (i, f) in alertFields.enumerated() where f.name.hasPrefix("cutout") && f.schema.storedKind == .bytes {
            let kind = String(f.name.dropFirst("cutout".count))
            guard ["Science", "Template", "Difference"].contains(kind) else { continue }
            cutouts.append((kind, i))
            usedAlert.insert(i)
        }
        self.cutouts = cutouts

        // dia_source: the diaSource's fields (old versions' under their current names), then the packet's own.
        let storedSourceRecord = Self.currentNames(sourceRecord, columns.source)
        var usedSource = Set<Int>()
        let objectField = objectField
        sourceColumns = columns.source.map { column in
            switch column.name {
            case "schema_id": return .schemaID
            case "prvDiaSourceIds": return .historyIds
            case "prvDiaForcedSourceKeys": return .forcedKeys
            case "diaObject": return objectField.map { .alertJSON($0) } ?? .null
            case "extra": return .extra
            default: break
            }
            if let (i, encoding) = Self.match(column, in: storedSourceRecord) {
                usedSource.insert(i)
                return .field(i, encoding)
            }
            if let (i, encoding) = Self.match(column, in: alertFields), !usedAlert.contains(i) {
                usedAlert.insert(i)
                return .alertField(i, encoding)
            }
            return .null
        }
        unmappedSourceFields = Self.unmapped(sourceRecord, used: usedSource)
        unmappedAlertFields = Self.unmapped(alertFields, used: usedAlert)

        (historyColumns, unmappedHistoryFields) = Self.columns(columns.historySource, of: history?.1 ?? [])
        historyFields = Positions(history?.1 ?? [])
        (forcedColumns, unmappedForcedFields) = Self.columns(columns.forcedSource, of: forced?.1 ?? [])
        forcedFields = Positions(forced?.1 ?? [])
        (objectColumns, unmappedObjectFields) = Self.columns(columns.object, of: object?.1 ?? [])
        objectFields = Positions(object?.1 ?? [])
    }

    /// The field named as `column` whose type the column stores without loss, if any.
    private static func match(_ column: TableColumn, in fields: [(name: String, schema: AvroSchema)]) -> (Int, FieldEncoding)? {
        guard let i = fields.firstIndex(where: { $0.name == column.name }),
              let encoding = fields[i].schema.storedKind.flatMap({ FieldEncoding(avro: $0, column: column.type) }) else { return nil }
        return (i, encoding)
    }

    /// The record's fields under the names their columns have (`RubinFieldNames`): 3.0's
    /// `decl` as `dec`, so that it fills `dec`; a field left unmapped keeps its own name in `extra`.
    private static func currentNames(_ fields: [(name: String, schema: AvroSchema)], _ columns: [TableColumn])
        -> [(name: String, schema: AvroSchema)] {
        let names = Set(columns.map(\.name))
        return zip(RubinFieldNames.storedNames(fields.map(\.name), hasColumn: names.contains), fields).map { ($0, $1.schema) }
    }

    private static func unmapped(_ fields: [(name: String, schema: AvroSchema)], used: Set<Int>) -> [(name: String, index: Int)] {
        fields.enumerated().filter { !used.contains($0.offset) }.map { ($0.element.name, $0.offset) }
    }

    /// The columns of a table made from one record (a history entry, the diaObject).
    private static func columns(_ columns: [TableColumn], of fields: [(name: String, schema: AvroSchema)])
        -> ([RubinColumnSource], [(name: String, index: Int)]) {
        var used = Set<Int>()
        let stored = currentNames(fields, columns)
        let sources: [RubinColumnSource] = columns.map { column in
            switch column.name {
            case "extra": return .extra
            case "latestDiaSourceId": return .latestSourceId
            case "latestMidpointMjdTai": return .latestMidpoint
            default: break
            }
            guard let (i, encoding) = match(column, in: stored) else { return .null }
            used.insert(i)
            return .field(i, encoding)
        }
        return (sources, unmapped(fields, used: used))
    }
}
