import Foundation
import Ingest
import Postgres
import Store
import TestSupport
import XCTest

/// Rubin's packets in process: loaded beside ZTF's into their own tables, once, and a file
/// holding one Confluent-framed message with a schema id no bundled schema has is a reject.
final class RubinIngestTests: XCTestCase {
    var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    func testRubinPacketsLoadBesideZTFsOnce() throws {
        let first = try db.ingest([Repository.rubinAlerts.path, Repository.v3Alerts.path])
        XCTAssertEqual(first.counts.rejected, 0)
        XCTAssertEqual(try db.count("dia_source"), 100)
        XCTAssertEqual(try db.count("dia_source_cutout"), 300)
        XCTAssertEqual(try db.count("candidate"), try sharedPackets(Repository.v3Alerts).count)
        let again = try db.ingest([Repository.rubinAlerts.path])
        XCTAssertEqual(again.counts.loaded, 0)
        XCTAssertEqual(again.counts.duplicate, 100)
        XCTAssertEqual(try db.count("dia_source"), 100)
    }

    func testAFramedMessageWithAnUnknownSchemaIdIsARejectNamingIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rubin-framed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Byte 0, schema id 4242 (big-endian), then a datum no schema reads.
        try Data([0, 0, 0, 0x10, 0x92, 1, 2, 3]).write(to: folder.appendingPathComponent("message.bin"))
        let summary = try db.ingest([folder.path])
        XCTAssertEqual(summary.counts.rejected, 1)
        let reason = try db.scalar("SELECT reason FROM reject")
        XCTAssertTrue(reason?.contains("schema id 4242") == true, reason ?? "no reject")
    }
}
