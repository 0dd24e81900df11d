/// The Confluent wire format of Kafka messages: byte 0 is 0, bytes 1–4 the schema id
/// (big-endian), then one Avro datum with no container around it.
enum WireFormat {
    static let headerSize = 5

    /// Whether `bytes` are framed so, rather than an Avro container (which starts with "Obj").
    static func isFramed(_ bytes: [UInt8]) -> Bool { bytes.count > headerSize && bytes[0] == 0 }

    /// The schema id of a framed message.
    static func schemaID(of bytes: [UInt8]) -> Int32 {
        Int32(bitPattern: bytes[1...4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }
}
