import Avro
import Foundation
import Kafka
import Model
import Postgres
import Store

/// Decodes messages, with a schema registry that waits out database outages.
final class StreamDecoder {
    private let decoder: PacketDecoder
    private let wireReader: DatumReader?

    init(database: String, wireSchema: AvroSchema?, schemaRegistry: String?, stop: StopSignal) throws {
        let db = try Connection(database)
        let registry = RetryingSchemaRegistry(database: database, db: db, stop: stop)
        let wireSchemas = WireSchemas(registry: try schemaRegistry.map { try SchemaRegistryClient(url: $0) })
        decoder = PacketDecoder(columns: try StoreColumns.read(from: db), wireSchemas: wireSchemas, registerSchema: registry.register)
        wireReader = try wireSchema.map { try DatumReader(schema: $0) }
    }

    /// A message as alerts or a reject named by its coordinates in the stream.
    func decode(_ message: KafkaMessage) throws -> [PacketDecoder.Outcome] {
        let source = "kafka:\(message.topic)/\(message.partition)@\(message.offset)"
        let bytes = message.payload
        if let wireReader, WireFormat.isFramed(bytes) {
            return [try decoder.decode(datum: bytes[WireFormat.headerSize...], with: wireReader, source: source, bytes: bytes)]
        }
        return try decoder.decode(bytes, source: source)
    }
}

/// Registers writer schemas (rarely: once per new schema), reconnecting with backoff while
/// the database is unreachable rather than failing the message, until stopped.
final class RetryingSchemaRegistry {
    let database: String
    private var db: Connection?
    let stop: StopSignal

    init(database: String, db: Connection, stop: StopSignal) {
        (self.database, self.db, self.stop) = (database, db, stop)
    }

    func register(_ schema: AvroSchema) throws -> Int32 {
        try StreamStore.whileUnavailable(stop: stop) {
            do {
                let db = try self.db ?? Connection(database)
                self.db = db
                return try SchemaRegistry(db: db).register(definition: schema.definition)
            } catch let error as PostgresError where error.isConnectionFailure {
                self.db = nil
                throw error
            }
        }
    }
}
