import Avro

/// The writer schemas of messages in the Confluent wire format, by schema id: from a schema
/// registry when one is given, else from Rubin's schemas bundled with alertdb (by the id
/// Rubin's registry gives them, MAJOR * 100 + MINOR). Each is parsed once. Use from one thread.
final class WireSchemas {
    /// A schema id that cannot be resolved: the message is a reject, and the stream goes on.
    struct Unknown: Error, CustomStringConvertible {
        let description: String
        /// Whether asking again would give the same answer (the registry said no), rather than
        /// a registry out of reach, to be asked again for the next message.
        var permanent = true
    }

    private let registry: SchemaRegistryClient?
    private var readers: [Int32: DatumReader] = [:]
    /// Ids already refused, so that a stream of messages with an unknown id asks once.
    private var refused: [Int32: Unknown] = [:]

    init(registry: SchemaRegistryClient? = nil) { self.registry = registry }

    func reader(for id: Int32) throws -> DatumReader {
        if let known = readers[id] { return known }
        if let refusal = refused[id] { throw refusal }
        do {
            let text: String
            if let registry {
                text = try registry.schema(id: id)
            } else if let bundled = BundledRubinSchemas.byID[id] {
                text = bundled
            } else {
                throw Unknown(description: "schema id \(id) is not one of the bundled Rubin schemas "
                    + "(\(BundledRubinSchemas.byID.keys.sorted().map(String.init).joined(separator: ", "))); name a registry with --schema-registry")
            }
            let reader: DatumReader
            do {
                reader = try DatumReader(schema: try AvroSchema(json: text))
            } catch {
                throw Unknown(description: "schema id \(id): \(error)")
            }
            // Registries hold a few schemas; a stream naming thousands of ids is damaged, and
            // is not let fill memory.
            if readers.count >= 256 { readers.removeAll() }
            readers[id] = reader
            return reader
        } catch let error as Unknown {
            if error.permanent {
                if refused.count >= 256 { refused.removeAll() }
                refused[id] = error
            }
            throw error
        }
    }
}
