import TestSupport
import Store
import Foundation
import XCTest

/// Bad input is set aside with its reason while everything else loads.
final class MalformedInputTests: XCTestCase {
    var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    func testEveryGoodPacketLoadsAndEachBadFileIsRecordedWithItsReason() throws {
        let dir = try TemporaryDirectory()
        let good = try sharedPackets(Repository.v3Alerts).prefix(5)
        for packet in good { try FileManager.default.copyItem(at: packet, to: dir.url.appendingPathComponent(packet.lastPathComponent)) }
        let sample = try [UInt8](Data(contentsOf: good.first!))
        var random = SystemRandomNumberGenerator()
        try dir.write("truncated.avro", Array(sample.prefix(sample.count / 2)))
        try dir.write("empty.avro", [])
        try dir.write("random.avro", (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) })
        try dir.write("not-an-alert.avro", avroContainer(schema: #"{"type":"record","name":"weather","fields":[{"name":"a","type":"int"}]}"#, record: [0x0A]))
        try dir.write("header-only.avro", avroContainer(schema: #"{"type":"record","name":"weather","fields":[{"name":"a","type":"int"}]}"#, record: nil))

        let summary = try db.ingest([dir.path])
        XCTAssertEqual(summary.counts.loaded, 5)
        XCTAssertEqual(summary.counts.rejected, 5)

        let rejects = try db.connection.execute("SELECT source, reason, bytes IS NOT NULL FROM reject ORDER BY source").rows
        let reasons = Dictionary(uniqueKeysWithValues: try rejects.map {
            (URL(fileURLWithPath: try $0.decode("source", as: String.self)).lastPathComponent, try $0.decode("reason", as: String.self))
        })
        XCTAssertEqual(Set(reasons.keys), ["truncated.avro", "empty.avro", "random.avro", "not-an-alert.avro", "header-only.avro"])
        XCTAssertEqual(reasons["empty.avro"], "empty file")
        XCTAssertTrue(reasons["random.avro"]!.hasPrefix("not an Avro container file"), reasons["random.avro"]!)
        XCTAssertTrue(reasons["not-an-alert.avro"]!.hasPrefix("not a ZTF alert"), reasons["not-an-alert.avro"]!)
        XCTAssertFalse(reasons["truncated.avro"]!.isEmpty)
        // The bytes are kept, so a rejected packet can be inspected or loaded again later.
        XCTAssertEqual(try db.scalar("SELECT length(bytes) FROM reject WHERE source LIKE '%truncated.avro'"), String(sample.count / 2))

        // Loading the same folder again records nothing new.
        let before = try db.rowCounts()
        _ = try db.ingest([dir.path])
        XCTAssertEqual(try db.rowCounts(), before)
    }

    func testAlertsWithoutACandidAreRejected() throws {
        let dir = try TemporaryDirectory()
        let objectId: [UInt8] = [8] + Array("ZTF1".utf8)             // string: zig-zag length 4, bytes
        let jd: [UInt8] = withUnsafeBytes(of: 2_458_000.5.bitPattern.littleEndian) { Array($0) }
        try dir.write("no-candid-field.avro", avroContainer(schema: """
            {"type": "record", "name": "ztf.alert", "fields": [{"name": "objectId", "type": "string"},
             {"name": "candidate", "type": {"type": "record", "name": "c", "fields": [{"name": "jd", "type": "double"}]}}]}
            """, record: objectId + jd))
        try dir.write("null-candid.avro", avroContainer(schema: """
            {"type": "record", "name": "ztf.alert", "fields": [{"name": "objectId", "type": "string"},
             {"name": "candid", "type": ["null", "long"]},
             {"name": "candidate", "type": {"type": "record", "name": "c", "fields": [{"name": "jd", "type": "double"}]}}]}
            """, record: objectId + [0] + jd))                      // union branch 0: null

        let summary = try db.ingest([dir.path, Repository.v3Alerts.path])
        XCTAssertEqual(summary.counts.loaded, try sharedPackets(Repository.v3Alerts).count)
        let reasons = try db.connection.execute("SELECT source, reason FROM reject").rows
            .reduce(into: [String: String]()) { $0[URL(fileURLWithPath: try $1.decode("source")).lastPathComponent] = try $1.decode("reason") }
        XCTAssertEqual(reasons, ["no-candid-field.avro": "not a ZTF alert: record alert has no candid field",
                                 "null-candid.avro": "no candid"])
    }

    func testNothingLoadableExitsNonZeroWithAMessage() throws {
        let dir = try TemporaryDirectory()
        try dir.write("empty.avro", [])
        let result = try shell([alertdbExecutable, "ingest", "--database", db.url, dir.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.output.contains("nothing could be loaded"), result.output)
    }

    func testAnUnreachableDatabaseIsAClearError() throws {
        let result = try shell([alertdbExecutable, "ingest", "--database", "postgresql://postgres@127.0.0.1:1/none",
                              Repository.v3Alerts.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.output.contains("cannot connect to PostgreSQL"), result.output)
    }

    func testAMissingPathIsRecordedAndTheRestLoads() throws {
        let summary = try db.ingest(["/nonexistent/alerts", Repository.v3Alerts.path])
        XCTAssertEqual(summary.counts.loaded, try sharedPackets(Repository.v3Alerts).count)
        XCTAssertEqual(try db.scalar("SELECT reason FROM reject WHERE source = '/nonexistent/alerts'"), "no such file or directory")
    }

    /// An Avro object container with one record of already-encoded `record` bytes (or none).
    private func avroContainer(schema: String, record: [UInt8]?) -> [UInt8] {
        func long(_ n: Int) -> [UInt8] {  // zig-zag varint
            var z = UInt64(bitPattern: Int64((n << 1) ^ (n >> 63))), out: [UInt8] = []
            repeat {
                var byte = UInt8(z & 0x7F)
                z >>= 7
                if z != 0 { byte |= 0x80 }
                out.append(byte)
            } while z != 0
            return out
        }
        func bytes(_ b: [UInt8]) -> [UInt8] { long(b.count) + b }
        let sync = [UInt8](repeating: 0x5A, count: 16)
        var file: [UInt8] = Array("Obj".utf8) + [1]
        file += long(1) + bytes(Array("avro.schema".utf8)) + bytes(Array(schema.utf8)) + long(0)
        file += sync
        if let record { file += long(1) + long(record.count) + record + sync }
        return file
    }
}
