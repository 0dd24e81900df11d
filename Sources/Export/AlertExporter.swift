import Avro
import Model

/// Writes a stored alert back as the Avro packet it arrived as: a container with the alert's
/// writer schema and one record equal to the ingested one, field by field.
///
/// Fields come from the typed columns of `candidate` (alert and candidate fields, by name),
/// `extra` (fields that had no column), `cutout` (stamps) and `prv_candidate` (the history
/// entries `prv_keys` names, in packet order).
public struct AlertExporter {
    /// An exporter; it keeps no state between alerts.
    public init() {}

    /// The Avro container of the alert stored as `rows`.
    public func avroContainer(_ rows: StoredAlertRows) throws -> [UInt8] {
        let stored = try StoredAlert(rows)
        let schema = try AvroSchema(json: stored.schemaJSON)
        let record = try GenericRecord(schema: schema)
        try PacketBuilder(stored: stored).fill(record.value)
        return try MemoryContainer.bytes(schema: schema, value: record.value)
    }
}

/// A stored alert with the `extra` of each row parsed: what `PacketBuilder` fills a record from.
struct StoredAlert {
    let schemaJSON: String
    let candidate: StoredRow
    let cutouts: [String: StoredRow]
    let history: [StoredRow]?

    init(_ rows: StoredAlertRows) throws {
        schemaJSON = rows.schemaJSON
        candidate = try StoredRow(rows.candidate)
        cutouts = try rows.cutouts.mapValues(StoredRow.init)
        history = try rows.history?.map(StoredRow.init)
    }
}
