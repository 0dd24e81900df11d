import Avro
import Model
import Store

/// Decodes alert packets (Avro container files) into rows, each file with its own writer
/// schema. Keeps one layout per distinct schema, so schema versions need no code of their own.
final class PacketDecoder {
    /// What one input turned into.
    enum Outcome {
        case alert(EncodedAlert)
        case rejected(RejectedInput)
    }

    private let columns: StoreColumns
    private let registerSchema: (AvroSchema) throws -> Int32
    private var encoders: [AlertEncoder] = []
    private let schemas = SchemaCache()

    /// `registerSchema` stores a writer schema and returns its id (called once per new schema).
    init(columns: StoreColumns, registerSchema: @escaping (AvroSchema) throws -> Int32) {
        self.columns = columns
        self.registerSchema = registerSchema
    }

    /// Decodes every record of one container. A file that cannot be read at all is one reject;
    /// a damaged record after good ones rejects the file (its good records still load).
    func decode(_ bytes: [UInt8], source: String) throws -> [Outcome] {
        func reject(_ reason: String) -> Outcome { .rejected(RejectedInput(source: source, reason: reason, bytes: bytes)) }
        let reader: ContainerReader
        do {
            reader = try ContainerReader(bytes: bytes, name: source, cache: schemas)
        } catch {
            return [reject("\(error)")]
        }
        let encoder: AlertEncoder
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
                outcomes.append(.alert(try encoder.encode(record, source: source)))
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
        let encoder: AlertEncoder
        do {
            encoder = try self.encoder(for: reader.schema)
        } catch let error as AlertLayout.NotAnAlert {
            return reject(error.description)
        }
        do {
            return .alert(try encoder.encode(try reader.read(datum), source: source))
        } catch {
            return reject("\(error)")
        }
    }

    private func encoder(for schema: AvroSchema) throws -> AlertEncoder {
        // The schema cache hands out the same object for the same schema text; equal schemas
        // written differently are found by comparing them.
        if let known = encoders.first(where: { $0.layout.schema === schema })
            ?? encoders.first(where: { $0.layout.schema.isEqual(to: schema) }) {
            return known
        }
        // The layout is built first, so that a file that is not an alert registers no schema.
        let layout = try AlertLayout(schema: schema, columns: columns)
        let encoder = AlertEncoder(layout: layout, schemaID: try registerSchema(schema))
        encoders.append(encoder)
        return encoder
    }
}
