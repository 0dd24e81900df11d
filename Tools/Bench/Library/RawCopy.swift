import Foundation
import Ingest
import Postgres

/// The ingest benchmark's ceiling: the same packets stored as opaque bytea with binary COPY,
/// read on one thread and copied on another exactly as `FileIngest` does, but never decoded.
public struct RawCopy {
    public let inputs: [String]
    public let database: String
    public let batchSize: Int
    /// Store the bytes without trying to compress them (as `cutout.stamp_data` is stored).
    public let uncompressed: Bool

    public init(inputs: [String], database: String, batchSize: Int, uncompressed: Bool) {
        (self.inputs, self.database, self.batchSize, self.uncompressed) = (inputs, database, batchSize, uncompressed)
    }

    public func run() throws -> (packets: Int, seconds: Double) {
        let start = Date()
        let db = try Connection(database)
        try db.execute("DROP TABLE IF EXISTS raw_packet; CREATE TABLE raw_packet (bytes bytea NOT NULL)")
        if uncompressed { try db.execute("ALTER TABLE raw_packet ALTER COLUMN bytes SET STORAGE EXTERNAL") }
        let (inputs, batchSize) = (self.inputs, self.batchSize)
        var packets = 0
        try Pipeline<[[UInt8]]>.run(capacity: 2, produce: { pipeline in
            var batch: [[UInt8]] = []
            try PacketSource(inputs: inputs).forEach { item in
                guard case .packet(_, let bytes) = item else { return }
                batch.append(bytes)
                if batch.count >= batchSize {
                    try pipeline.send(batch)
                    batch = []
                }
            }
            if !batch.isEmpty { try pipeline.send(batch) }
        }, consume: { batch in
            let rows = batch.map { bytes -> [UInt8] in
                var row = BinaryCopyWriter(reservingCapacity: bytes.count + 6)
                row.beginRow(fieldCount: 1)
                bytes.withUnsafeBytes { row.raw($0) }
                return row.bytes
            }
            try db.transaction { try db.copyBinary(into: "raw_packet", columns: ["bytes"], rows: rows) }
            packets += batch.count
        })
        return (packets, Date().timeIntervalSince(start))
    }
}
