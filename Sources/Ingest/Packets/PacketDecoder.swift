import Avro
import Model
import Store

/// Decodes alert packets (Avro container files) into rows, each file with its own writer
/// schema. Keeps one layout per distinct schema, so schema versions need no code of their own.
final class PacketDecoder {
    /// What one input turned into.
    enum Outcome {
        case alert(EncodedAlert)
        case rubin(EncodedRubinAlert)
        case rejected(RejectedInput)
    }

    /// The encoder of one writer schema: ZTF's or Rubin's, told by the schema's shape.
    private enum Encoder {
        case ztf(AlertEncoder)
        case rubin(RubinEncoder)

        var schema: AvroSchema {
            switch self {
            case .ztf(let encoder): encoder.layout.schema
            case .rubin(let encoder): encoder.layout.schema
            }
        }

        func encode(_ record: AvroValue, source: String) throws -> Outcome {
            switch self {
            case .ztf(let encoder): .alert(try encoder.encode(record, source: source))
            case .rubin(let encoder): .rubin(try encoder.encode(record, source: source))
            }
        }
    }

    private let columns: StoreColumns
    private let registerSchema: (AvroSchema) throws -> Int32
    private var encoders: [Encoder] = []
    private let schemas = SchemaCache()
    /// The schemas of messages in the Confluent wire format, by id.
    private let wireSchemas: WireSchemas

    /// `registerSchema` stores a writer schema and returns its id (called once per new schema).
    init(columns: StoreColumns, wireSchemas: WireSchemas = WireSchemas(), registerSchema: @escaping (AvroSchema) throws -> Int32) {
        self.columns = columns
        self.wireSchemas = wireSchemas
        self.registerSchema = registerSchema
    }

    /// Decodes every record of one container, or the one message of a file in the Confluent
    /// wire format (a topic dumped to disk). A file that cannot be read at all is one reject;
    /// a damaged record after good ones rejects the file (its good records still load).
    func decode(_ bytes: [UInt8], source: String) throws -> [Outcome] {
        func reject(_ reason: String) -> Outcome { .rejected(RejectedInput(source: source, reason: reason, bytes: bytes)) }
        if WireFormat.isFramed(bytes) { return [try decode(framed: bytes, source: source)] }
        let reader: ContainerReader
        do {
            reader = try ContainerReader(bytes: bytes, name: source, cache: schemas)
        } catch {
            return [reject("\(error)")]
        }
        let encoder: Encoder
        do {
            encoder = try self.encoder(for: reader.writerSchema)
        } catch let error as AlertLayout.NotAnAlert {
            return [reject(error.description)]
        }
        var outcomes: [Outcome] = []
        var index = 0
        while true {
            index += 1
            let record: AvroValue?
            do {
                record = try reader.next()
            } catch {
                outcomes.append(reject(index == 1 ? "\(error)" : "record \(index): \(error)"))
                break
            }
            guard let record else { break }
            do {
                outcomes.append(try encoder.encode(record, source: source))
            } catch {
                outcomes.append(reject(index == 1 ? "\(error)" : "record \(index): \(error)"))
            }
        }
        if index == 1 && outcomes.isEmpty { outcomes.append(reject("the container holds no records")) }
        return outcomes
    }

    /// Decodes one datum written with `reader`'s schema (a message in the Confluent wire format,
    /// after its five-byte header).
    func decode(datum: ArraySlice<UInt8>, with reader: DatumReader, source: String, bytes: [UInt8]) throws -> Outcome {
        func reject(_ reason: String) -> Outcome { .rejected(RejectedInput(source: source, reason: reason, bytes: bytes)) }
        let encoder: Encoder
        do {
            encoder = try self.encoder(for: reader.schema)
        } catch let error as AlertLayout.NotAnAlert {
            return reject(error.description)
        }
        do {
            return try encoder.encode(try reader.read(datum), source: source)
        } catch {
            return reject("\(error)")
        }
    }

    /// Decodes a message in the Confluent wire format with the schema its id names; an id no
    /// registry knows is a reject.
    func decode(framed bytes: [UInt8], source: String) throws -> Outcome {
        let reader: DatumReader
        do {
            reader = try wireSchemas.reader(for: WireFormat.schemaID(of: bytes))
        } catch let error as WireSchemas.Unknown {
            return .rejected(RejectedInput(source: source, reason: error.description, bytes: bytes))
        }
        return try decode(datum: bytes[WireFormat.headerSize...], with: reader, source: source, bytes: bytes)
    }

    private func encoder(for schema: AvroSchema) throws -> Encoder {
        // The schema cache hands out the same object for the same schema text; equal schemas
        // written differently are found by comparing them.
        if let known = encoders.first(where: { $0.schema === schema }) ?? encoders.first(where: { $0.schema.isEqual(to: schema) }) {
            return known
        }
        // The layout is built first, so that a file that is not an alert registers no schema.
        let encoder: Encoder
        if RubinLayout.recognises(schema) {
            let layout = try RubinLayout(schema: schema, columns: columns.rubin)
            encoder = .rubin(RubinEncoder(layout: layout, schemaID: try registerSchema(schema)))
        } else {
            let layout = try AlertLayout(schema: schema, columns: columns)
            encoder = .ztf(AlertEncoder(layout: layout, schemaID: try registerSchema(schema)))
        }
        encoders.append(encoder)
        return encoder
    }
}
