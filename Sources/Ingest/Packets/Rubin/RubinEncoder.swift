import Avro
import JSON
import Model
import Postgres
import Store

/// Turns one decoded Rubin alert into rows for `dia_source`, `dia_source_cutout`,
/// `prv_dia_source`, `prv_dia_forced_source` and `dia_object`, following the layout of its
/// writer schema.
struct RubinEncoder {
    let layout: RubinLayout
    /// The writer schema's row in `avro_schema`.
    let schemaID: Int32

    func encode(_ alert: AvroValue, source: String) throws -> EncodedRubinAlert {
        guard let dia = alert.child(layout.diaSourceField).unwrapped, dia.kind == .record else {
            throw AlertEncoder.Invalid(description: "no diaSource record")
        }
        guard let id = layout.sourceFields.diaSourceId.flatMap({ dia.child($0).unwrapped }).map(Self.integer) else {
            throw AlertEncoder.Invalid(description: "no diaSource.diaSourceId")
        }
        // The packet's own diaSourceId repeats its diaSource's, and is stored once; where it
        // differs (lsst-alert-packet's sample alerts), it is kept in extra.
        var topIdExtra: [(String, JSONValue)] = []
        if let top = layout.topDiaSourceIdField, let value = alert.child(top).unwrapped, Self.integer(value) != id {
            topIdExtra = [("diaSourceId", .integer(Self.integer(value)))]
        }
        let midpoint = layout.sourceFields.midpointMjdTai.flatMap { dia.child($0).unwrapped?.number }
        var context = Context(schemaID: schemaID, diaSourceId: id, midpoint: midpoint)

        // prvDiaSources, each a diaSource of its own.
        var historyRows = BinaryCopyWriter()
        var history: [(diaSourceId: Int64, midpointMjdTai: Double?, range: Range<Int>)] = []
        if let field = layout.historyField, let entries = alert.child(field).unwrapped {
            var ids = Int64ArrayField()
            for e in 0..<entries.count {
                guard let entry = entries.child(e).unwrapped,
                      let entryId = layout.historyFields.diaSourceId.flatMap({ entry.child($0).unwrapped }).map(Self.integer) else {
                    throw AlertEncoder.Invalid(description: "prvDiaSources[\(e)] has no diaSourceId")
                }
                let start = historyRows.bytes.count
                try write(layout.historyColumns, record: entry, unmapped: layout.unmappedHistoryFields, context: context, into: &historyRows)
                let time = layout.historyFields.midpointMjdTai.flatMap { entry.child($0).unwrapped?.number }
                history.append((entryId, time, start..<historyRows.bytes.count))
                ids.append(entryId)
            }
            context.historyIds = ids
        }

        // prvDiaForcedSources, each once per object and visit.
        var forcedRows = BinaryCopyWriter()
        var forced: [(key: RubinForcedKey, midpointMjdTai: Double?, range: Range<Int>)] = []
        if let field = layout.forcedField, let entries = alert.child(field).unwrapped {
            var keys = HistoryKeyArray(count: entries.count)
            let f = layout.forcedFields
            for e in 0..<entries.count {
                guard let entry = entries.child(e).unwrapped else {
                    throw AlertEncoder.Invalid(description: "prvDiaForcedSources[\(e)] is null")
                }
                let object = f.diaObjectId.flatMap { entry.child($0).unwrapped }.map(Self.integer)
                let visit = (f.visit.flatMap { entry.child($0).unwrapped } ?? f.ccdVisitId.flatMap { entry.child($0).unwrapped }).map(Self.integer)
                let start = forcedRows.bytes.count
                try write(layout.forcedColumns, record: entry, unmapped: layout.unmappedForcedFields, context: context, into: &forcedRows)
                let time = f.midpointMjdTai.flatMap { entry.child($0).unwrapped?.number }
                forced.append((RubinForcedKey(diaObjectId: object, visit: visit), time, start..<forcedRows.bytes.count))
                // A pair array, as ZTF's prv_keys: here [diaObjectId, visit].
                keys.append(pid: object, candid: visit)
            }
            context.forcedKeys = keys
        }

        // The object's state as this packet gives it.
        var objectRow: BinaryCopyWriter?
        var objectId = layout.sourceFields.diaObjectId.flatMap { dia.child($0).unwrapped }.map(Self.integer)
        if let field = layout.objectField, let object = alert.child(field).unwrapped,
           let stateId = layout.objectFields.diaObjectId.flatMap({ object.child($0).unwrapped }).map(Self.integer) {
            var row = BinaryCopyWriter()
            try write(layout.objectColumns, record: object, unmapped: layout.unmappedObjectFields, context: context, into: &row)
            objectRow = row
            objectId = stateId
        }

        // The stamps, most of an alert's bytes: the buffer is sized once. Each row carries its
        // alert's time, which puts it in the month partition of its alert.
        let stamps = layout.cutouts.compactMap { cutout in alert.child(cutout.field).unwrapped.map { (cutout.kind, $0) } }
        var cutoutRows = BinaryCopyWriter(reservingCapacity: stamps.reduce(0) { $0 + $1.1.bytes.count + 64 })
        for (kind, stamp) in stamps {
            cutoutRows.beginRow(fieldCount: 4)
            cutoutRows.int64(id)
            cutoutRows.text(kind)
            cutoutRows.raw(stamp.bytes)
            if let midpoint { cutoutRows.float64(midpoint) } else { cutoutRows.null() }
        }

        // Packet fields with no column (ssSource, MPCORB, fields a broker added, ...), beside the
        // diaSource's own leftovers.
        context.alertExtra = try layout.unmappedAlertFields.map { ($0.name, try json(from: alert.child($0.index))) } + topIdExtra
        var sourceRow = BinaryCopyWriter()
        try write(layout.sourceColumns, record: dia, alert: alert, unmapped: layout.unmappedSourceFields,
                  extraPath: "diaSource", context: context, into: &sourceRow)

        return EncodedRubinAlert(diaSourceId: id, diaObjectId: objectId, midpointMjdTai: midpoint, source: source,
                                 sourceRow: sourceRow, cutoutRows: cutoutRows, historyRows: historyRows, history: history,
                                 forcedRows: forcedRows, forced: forced, objectRow: objectRow)
    }

    /// What a row may need beside its record.
    private struct Context {
        let schemaID: Int32
        let diaSourceId: Int64
        let midpoint: Double?
        var historyIds: Int64ArrayField?
        var forcedKeys: HistoryKeyArray?
        var alertExtra: [(String, JSONValue)] = []
    }

    /// Writes one row. Unmapped fields of `record` go to the extra column: under `extraPath`
    /// when given (the diaSource's leftovers sit beside the packet's), else at the top level.
    private func write(_ columns: [RubinColumnSource], record: AvroValue, alert: AvroValue? = nil,
                       unmapped: [(name: String, index: Int)], extraPath: String? = nil, context: Context,
                       into row: inout BinaryCopyWriter) throws {
        row.beginRow(fieldCount: columns.count)
        for column in columns {
            switch column {
            case .field(let i, let encoding): try encoding.write(record.child(i), to: &row)
            case .alertField(let i, let encoding):
                if let alert { try encoding.write(alert.child(i), to: &row) } else { row.null() }
            case .alertJSON(let i):
                if let value = alert?.child(i).unwrapped { row.jsonb(try json(from: value).serialized()) } else { row.null() }
            case .schemaID: row.int32(context.schemaID)
            case .historyIds: if let ids = context.historyIds { ids.write(to: &row) } else { row.null() }
            case .forcedKeys: if let keys = context.forcedKeys { keys.write(to: &row) } else { row.null() }
            case .latestSourceId: row.int64(context.diaSourceId)
            case .latestMidpoint: if let m = context.midpoint { row.float64(m) } else { row.null() }
            case .null: row.null()
            case .extra:
                let alertExtra = extraPath == nil ? [] : context.alertExtra
                if let extra = try extraJSON(record: record, unmapped: unmapped, extraPath: extraPath, alertExtra: alertExtra) {
                    row.jsonb(extra)
                } else {
                    row.null()
                }
            }
        }
    }

    /// An int or long as a long.
    static func integer(_ value: AvroValue) -> Int64 { value.kind == .int ? Int64(value.int32) : value.int64 }
}

/// A one-dimensional `bigint[]` in PostgreSQL's binary array format, built element by element.
struct Int64ArrayField: Sendable {
    private var count = 0
    private var elements: [UInt8] = []

    mutating func append(_ value: Int64) {
        withUnsafeBytes(of: Int32(8).bigEndian) { elements.append(contentsOf: $0) }
        withUnsafeBytes(of: value.bigEndian) { elements.append(contentsOf: $0) }
        count += 1
    }

    /// Writes the array as one COPY field: dimensions, null flag, element type int8 (OID 20),
    /// size and lower bound, then the elements; PostgreSQL's empty array has no dimension.
    func write(to row: inout BinaryCopyWriter) {
        var array: [UInt8] = []
        func put(_ value: Int32) { withUnsafeBytes(of: value.bigEndian) { array.append(contentsOf: $0) } }
        put(count == 0 ? 0 : 1); put(0); put(20)
        if count > 0 { put(Int32(count)); put(1); array.append(contentsOf: elements) }
        array.withUnsafeBytes { row.raw($0) }
    }
}
