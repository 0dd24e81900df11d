import Model
import Postgres

/// Stores writer schemas in `avro_schema`, once each, and gives their ids.
public struct SchemaRegistry {
    let db: Connection

    public init(db: Connection) { self.db = db }

    /// The id of the schema whose JSON text is `definition`, stored first if new.
    public func register(definition: String) throws -> Int32 {
        try db.execute("INSERT INTO avro_schema (definition) VALUES (\(definition)) ON CONFLICT ((md5(definition))) DO NOTHING")
        let result = try db.execute("SELECT id FROM avro_schema WHERE md5(definition) = md5(\(definition))")
        guard result.rowCount == 1 else { throw AlertDBError.database("cannot register a writer schema") }
        return try result[0].decode("id")
    }
}
