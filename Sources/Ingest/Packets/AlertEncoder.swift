import Avro
import JSON
import Model
import Postgres
import Store

/// Turns one decoded alert record into rows for `candidate`, `cutout` and `prv_candidate`,
/// following the layout of its writer schema, and computes the derived columns.
struct AlertEncoder {
    let layout: AlertLayout
    /// The writer schema's row in `avro_schema`.
    let schemaID: Int32

    struct Invalid: Error, CustomStringConvertible { let description: String }

    func encode(_ alert: AvroValue, source: String) throws -> EncodedAlert {
        guard let candidValue = alert.child(layout.candidField).unwrapped else { throw Invalid(description: "no candid") }
        let candid = candidValue.kind == .int ? Int64(candidValue.int32) : candidValue.int64
        guard let objectIdValue = alert.child(layout.objectIdField).unwrapped else { throw Invalid(description: "no objectId") }
        let objectId = String(decoding: try storableText(objectIdValue.stringBytes), as: UTF8.self)
        guard let candidate = alert.child(layout.candidateField).unwrapped, candidate.kind == .record else {
            throw Invalid(description: "no candidate record")
        }
        if let i = layout.candidateCandidField, let inner = candidate.child(i).unwrapped, inner.int64 != candid {
            throw Invalid(description: "candidate.candid \(inner.int64) differs from the alert's candid \(candid)")
        }

        let named = layout.candidateFields
        func number(_ index: Int?) -> Double? { index.flatMap { candidate.child($0).unwrapped?.number } }
        let jd = number(named.jd), fid = number(named.fid), magpsf = number(named.magpsf)

        // History rows, and on the way the latest earlier detection in the same filter.
        var historyRows = BinaryCopyWriter()
        var history: [(key: HistoryKey, jd: Double?, range: Range<Int>)] = []
        var latestEarlier: (jd: Double, magpsf: Double)?
        // nil when the packet's prv_candidates is null (or absent), which export must tell from an empty list.
        var historyKeys: HistoryKeyArray?
        if let field = layout.historyField, let entries = alert.child(field).unwrapped {
            historyKeys = HistoryKeyArray(count: entries.count)
            let h = layout.historyFields
            history.reserveCapacity(entries.count)
            for e in 0..<entries.count {
                let entry = entries.child(e)
                let start = historyRows.bytes.count
                try writeRow(layout.historyColumns, record: entry, alert: alert, unmapped: layout.unmappedHistoryFields,
                         extraPath: nil, derived: nil, into: &historyRows)
                let pid = h.pid.flatMap { entry.child($0).unwrapped?.int64 }
                let entryCandid = h.candid.flatMap { entry.child($0).unwrapped?.int64 }
                let entryJD = h.jd.flatMap { entry.child($0).unwrapped?.number }
                history.append((HistoryKey(objectId: objectId, pid: pid, candid: entryCandid), entryJD, start..<historyRows.bytes.count))
                historyKeys?.append(pid: pid, candid: entryCandid)

                // A detection (it has a candid and a magnitude) earlier than this alert, in its filter.
                if entryCandid != nil, let jd, let fid,
                   let ejd = entryJD, ejd < jd,
                   h.fid.flatMap({ entry.child($0).unwrapped?.number }) == fid,
                   let emag = h.magpsf.flatMap({ entry.child($0).unwrapped?.number }),
                   ejd > (latestEarlier?.jd ?? -.infinity) {
                    latestEarlier = (ejd, emag)
                }
            }
        }

        var derived = Derived()
        if let ra = number(named.ra), let dec = number(named.dec) {
            (derived.l, derived.b) = Galactic.from(ra: ra, dec: dec)
        }
        if let magpsf, let latestEarlier { derived.deltaMagLatest = magpsf - latestEarlier.magpsf }
        // The 2017 schema says "no reference source" with distnr = magnr = -999.
        if let magpsf, let magnr = number(named.magnr), let distnr = number(named.distnr), distnr >= 0, distnr < 2 {
            derived.deltaMagRef = magnr - magpsf
        }
        derived.schemaID = schemaID
        derived.historyKeys = historyKeys

        // Alert-level leftovers (fp_hists, future fields) and cutout fields with no column.
        var alertExtra: [(String, JSONValue)] = try layout.unmappedAlertFields.map { ($0.name, try json(from: alert.child($0.index))) }

        // Stamps are most of an alert's bytes: size the buffer once rather than grow it.
        let stampBytes = layout.cutouts.reduce(0) { total, cutout in
            total + (cutout.stampDataField.flatMap { alert.child(cutout.field).unwrapped?.child($0).unwrapped?.bytes.count } ?? 0)
        }
        var cutoutRows = BinaryCopyWriter(reservingCapacity: stampBytes + 256 * layout.cutouts.count)
        for cutout in layout.cutouts {
            guard let record = alert.child(cutout.field).unwrapped else { continue }
            if !cutout.unmappedFields.isEmpty {
                let object = JSONValue.object()
                for f in cutout.unmappedFields { object.set(f.name, try json(from: record.child(f.index))) }
                alertExtra.append((cutout.name, object))
            }
            guard let stamp = cutout.stampDataField.flatMap({ record.child($0).unwrapped }) else { continue }
            cutoutRows.beginRow(fieldCount: 5)
            cutoutRows.int64(candid)
            cutoutRows.text(cutout.kind)
            if let name = cutout.fileNameField.flatMap({ record.child($0).unwrapped }) {
                cutoutRows.raw(try storableText(name.stringBytes))
            } else {
                cutoutRows.null()
            }
            cutoutRows.raw(stamp.bytes)
            optional(jd, &cutoutRows)
        }

        var candidateRow = BinaryCopyWriter()
        try writeRow(layout.candidateColumns, record: candidate, alert: alert, unmapped: layout.unmappedCandidateFields,
                 extraPath: "candidate", alertExtra: alertExtra, derived: derived, into: &candidateRow)

        return EncodedAlert(candid: candid, objectId: objectId, jd: jd, source: source, candidateRow: candidateRow,
                            cutoutRows: cutoutRows, historyRows: historyRows, history: history)
    }

    /// Values computed at ingest rather than read from the packet.
    struct Derived {
        var l, b, deltaMagLatest, deltaMagRef: Double?
        var schemaID: Int32?
        var historyKeys: HistoryKeyArray?
    }

    /// Writes one row. Unmapped fields of `record` go to the extra column: under `extraPath`
    /// when given (the candidate's leftovers sit beside the alert's), else at the top level.
    private func writeRow(_ columns: [ColumnSource], record: AvroValue, alert: AvroValue,
                          unmapped: [(name: String, index: Int)], extraPath: String?,
                          alertExtra: [(String, JSONValue)] = [], derived: Derived?,
                          into row: inout BinaryCopyWriter) throws {
        row.beginRow(fieldCount: columns.count)
        for source in columns {
            switch source {
            case .field(let i, let encoding): try encoding.write(record.child(i), to: &row)
            case .alertField(let i, let encoding): try encoding.write(alert.child(i), to: &row)
            case .galacticL: optional(derived?.l, &row)
            case .galacticB: optional(derived?.b, &row)
            case .deltaMagLatest: optional(derived?.deltaMagLatest, &row)
            case .deltaMagRef: optional(derived?.deltaMagRef, &row)
            case .schemaID: if let id = derived?.schemaID { row.int32(id) } else { row.null() }
            case .historyKeys: if let keys = derived?.historyKeys { keys.write(to: &row) } else { row.null() }
            case .null: row.null()
            case .extra:
                if let extra = try extraJSON(record: record, unmapped: unmapped, extraPath: extraPath, alertExtra: alertExtra) {
                    row.jsonb(extra)
                } else {
                    row.null()
                }
            }
        }
    }

    private func optional(_ value: Double?, _ row: inout BinaryCopyWriter) {
        if let value { row.float64(value) } else { row.null() }
    }
}
