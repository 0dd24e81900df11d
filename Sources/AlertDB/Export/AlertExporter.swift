import Avro
import Postgres

/// Writes a stored alert back as the Avro packet it arrived as: a container with the alert's
/// writer schema and one record equal to the ingested one, field by field.
///
/// Fields come from the typed columns of `candidate` (alert and candidate fields, by name),
/// `extra` (fields that had no column), `cutout` (stamps) and `prv_candidate` (the history
/// entries `prv_keys` names, in packet order).
public struct AlertExporter {
    /// An exporter; it keeps no state between alerts.
    public init() {}

    /// The Avro container of alert `alertID` (`candidate.id`), or nil when there is no such alert.
    public func avroContainer(alertID: Int64, connection: Connection) throws -> [UInt8]? {
        guard let stored = try StoredAlert.read(id: alertID, from: connection) else { return nil }
        let schema = try AvroSchema(json: stored.schemaJSON)
        let record = try GenericRecord(schema: schema)
        try PacketBuilder(stored: stored).fill(record.value)
        return try MemoryContainer.bytes(schema: schema, value: record.value)
    }
}
