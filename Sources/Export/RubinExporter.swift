import Avro
import Model

/// Writes a stored Rubin alert back as the Avro packet it arrived as: a container with the
/// packet's writer schema and one record equal to the ingested one, field by field.
///
/// The store hands the packet over as one JSON document shaped as the packet
/// (`RubinStore.packet`): the diaSource from its row (and `extra.diaSource`), the history
/// and forced photometry its packet carried in packet order, the diaObject as the packet gave
/// it, the stamps (base64), and the packet's other fields from `extra`. It fills the writer
/// schema the way a ZTF alert's `extra` is filled, with ingest's JSON conventions (bytes in
/// base64, NaN and infinities as strings).
public struct RubinExporter {
    public init() {}

    public func avroContainer(schemaJSON: String, packetJSON: String) throws -> [UInt8] {
        let schema = try AvroSchema(json: schemaJSON)
        let record = try GenericRecord(schema: schema)
        try AvroFilling.fill(record.value, with: .json(Self.underOldNames(try JSONNode.parse(packetJSON))), path: "")
        return try MemoryContainer.bytes(keepingSchemaText: schema, value: record.value)
    }

    /// The document with each value the loader stored under a field's current name
    /// (`RubinFieldNames`: 3.0's `decl` in `dec`) also under the old name, where that is
    /// empty, so that an old writer schema finds its fields. Names a schema does not have are
    /// not read.
    static func underOldNames(_ node: JSONNode) -> JSONNode {
        switch node {
        case .array(let elements): return .array(elements.map(underOldNames))
        case .object(var members):
            for (key, value) in members { members[key] = underOldNames(value) }
            for (old, current) in RubinFieldNames.current {
                guard let value = members[current], value != .null, members[old] == nil || members[old] == .null else { continue }
                members[old] = value
            }
            return .object(members)
        default: return node
        }
    }
}
