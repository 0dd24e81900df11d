import Avro
import Model

/// Fills an alert record of the writer schema from what is stored, mirroring how ingest
/// took it apart (`AlertLayout`): the candidate record from the candidate row, cutout records
/// from the cutout rows, prv_candidates from the history rows, everything else by name.
struct PacketBuilder {
    let stored: StoredAlert

    func fill(_ alert: AvroValue) throws {
        let top = stored.candidate
        try AvroFilling.fillRecord(alert, from: top, path: "") { name, field in
            let schema = field.schema.nonNull
            if name == "candidate", schema.kind == .record {
                var candidate = top
                candidate.extra = top.extra["candidate"]?.members ?? [:]
                try AvroFilling.fillRecord(try nonNull(field, name), from: candidate, path: name)
                return true
            }
            if name.hasPrefix("cutout"), schema.kind == .record {
                try fillCutout(field, name: name)
                return true
            }
            if name == "prv_candidates", top.extra[name] == nil, schema.items?.nonNull.kind == .record {
                try fillHistory(field)
                return true
            }
            return false
        }
    }

    /// A cutout record: fileName and stampData from its row, other fields from extra[name].
    private func fillCutout(_ field: AvroValue, name: String) throws {
        let kind = String(name.dropFirst("cutout".count))
        let leftovers = stored.candidate.extra[name]?.members
        guard stored.cutouts[kind] != nil || leftovers != nil else {
            return try AvroFilling.fill(field, with: .text(nil), path: name)
        }
        var row = stored.cutouts[kind] ?? StoredRow(columns: [:])
        row.extra = leftovers ?? [:]
        try AvroFilling.fillRecord(try nonNull(field, name), from: row, path: name)
    }

    private func fillHistory(_ field: AvroValue) throws {
        guard let history = stored.history else {
            return try AvroFilling.fill(field, with: .text(nil), path: "prv_candidates")
        }
        let array = try nonNull(field, "prv_candidates")
        for (i, row) in history.enumerated() {
            guard let entry = array.appendElement() else { throw ExportError(description: "prv_candidates: cannot append") }
            let path = "prv_candidates[\(i)]"
            try AvroFilling.fillRecord(try nonNull(entry, path), from: row, path: path)
        }
    }

    /// The value inside `field`'s non-null branch (or `field` itself when it is no union).
    private func nonNull(_ field: AvroValue, _ path: String) throws -> AvroValue {
        guard let value = field.selectNonNullBranch() else { throw ExportError(description: "\(path): no non-null branch") }
        return value
    }
}
