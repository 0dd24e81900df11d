import Foundation
import Ingest
import Postgres
import Store
import TestSupport
import XCTest

/// Loading real packets: counts, idempotence, and what lands in each table.
final class IngestTests: XCTestCase {
    var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    func testEverySharedPacketLoadsOnceAndReloadingAddsNoRow() throws {
        let first = try db.ingest([Repository.sharedAlerts.path], batchSize: 97)
        let packets = try sharedPackets(Repository.v3Alerts).count + sharedPackets(Repository.alerts2017).count
        XCTAssertEqual(first.read, packets)
        XCTAssertEqual(first.counts.loaded, packets)
        XCTAssertEqual(first.counts.rejected, 0)
        XCTAssertEqual(try db.count("candidate"), packets)
        let before = try db.rowCounts()

        let second = try db.ingest([Repository.sharedAlerts.path])
        XCTAssertEqual(second.counts.loaded, 0)
        XCTAssertEqual(second.counts.duplicate, packets)
        XCTAssertEqual(try db.rowCounts(), before)
    }

    func testAFailureReachesTheCallerAsItselfNotAsADescription() throws {
        // Registering the packets' writer schema fails on the decoding thread: the caller gets
        // PostgreSQL's error, with its SQLSTATE, as the loading thread would have.
        try db.connection.execute("ALTER TABLE avro_schema RENAME TO avro_schema_away")
        XCTAssertThrowsError(try db.ingest([Repository.v3Alerts.path])) { error in
            let reason = (error as? IngestInterrupted)?.reason
            XCTAssertEqual((reason as? PostgresError)?.sqlState, SQLState("42P01"), "undefined table: \(error)")
        }
        XCTAssertEqual(try db.count("candidate"), 0)
    }

    func testOverlappingHistoriesAreStoredOncePerObject() throws {
        // Loading in batches of one makes every repeat of a history row meet the stored one.
        _ = try db.ingest([Repository.alerts2017.path], batchSize: 1)
        let repeated = try db.scalar("""
            SELECT count(*) FROM (SELECT 1 FROM prv_candidate GROUP BY "objectId", pid, candid HAVING count(*) > 1) r
            """)
        XCTAssertEqual(repeated, "0")
        // Every object's history rows are linked to an object that has alerts.
        XCTAssertEqual(try db.scalar("""
            SELECT count(*) FROM prv_candidate p WHERE NOT EXISTS (SELECT 1 FROM candidate c WHERE c."objectId" = p."objectId")
            """), "0")
    }

    func testSchemaVersionsAreRecordedAndTwentySeventeenPacketsHaveNoVersionField() throws {
        _ = try db.ingest([Repository.sharedAlerts.path])
        // The 2017 commissioning schema has no schemavsn or publisher field: NULL, not invented.
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM candidate WHERE schemavsn IS NULL AND publisher IS NULL"),
                       String(try sharedPackets(Repository.alerts2017).count))
        // Each alert points at the writer schema it arrived with.
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM candidate WHERE schema_id IS NULL"), "0")
        XCTAssertGreaterThanOrEqual(Int(try db.scalar("SELECT count(*) FROM avro_schema")!)!, 2)
    }

    func testCutoutsAreStoredAsReceived() throws {
        _ = try db.ingest([Repository.sharedAlerts.path])
        // Gzipped FITS from schema 3.x on, JPEG in 2017.
        XCTAssertEqual(try db.scalar("""
            SELECT count(*) FROM cutout k JOIN candidate c USING (candid)
            WHERE c.schemavsn IS NOT NULL AND substring(k.stamp_data FROM 1 FOR 2) <> '\\x1f8b'::bytea
            """), "0")
        XCTAssertEqual(try db.scalar("""
            SELECT count(*) FROM cutout k JOIN candidate c USING (candid)
            WHERE c.schemavsn IS NULL AND substring(k.stamp_data FROM 1 FOR 3) <> '\\xffd8ff'::bytea
            """), "0")
        XCTAssertEqual(try db.count("cutout"), 3 * (try db.count("candidate")))
    }

    func testArchivesAndStandardInputLoad() throws {
        let dir = try TemporaryDirectory()
        let packets = try sharedPackets(Repository.v3Alerts)
        let night = dir.url.appendingPathComponent("night")
        try FileManager.default.createDirectory(at: night, withIntermediateDirectories: true)
        for packet in packets.prefix(10) {
            try FileManager.default.copyItem(at: packet, to: night.appendingPathComponent(packet.lastPathComponent))
        }
        XCTAssertEqual(try shell(["tar", "-czf", dir.path + "/night.tar.gz", "-C", dir.path, "night"]).status, 0)
        XCTAssertEqual(try shell(["tar", "--format=ustar", "-cf", dir.path + "/night.tar", "-C", dir.path, "night"]).status, 0)

        let gz = try db.ingest([dir.path + "/night.tar.gz"])
        XCTAssertEqual(gz.counts.loaded, 10)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM candidate"), "10")
        let tar = try db.ingest([dir.path + "/night.tar"])
        XCTAssertEqual(tar.counts.duplicate, 10)

        let stdin = try Data(contentsOf: packets[10])
        let result = try shell([alertdbExecutable, "ingest", "--database", db.url, "-"], stdin: stdin)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("loaded 1,"), result.output)
        XCTAssertEqual(try db.count("candidate"), 11)
    }

    func testFoldersAreReadRecursivelySkippingHiddenFilesAndFollowingLinksToFiles() throws {
        let dir = try TemporaryDirectory()
        let packets = try sharedPackets(Repository.v3Alerts)
        let nested = dir.url.appendingPathComponent("2019/01/10")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: packets[0], to: nested.appendingPathComponent("a.avro"))
        try FileManager.default.copyItem(at: packets[1], to: dir.url.appendingPathComponent(".hidden.avro"))
        try FileManager.default.createSymbolicLink(at: dir.url.appendingPathComponent("linked.avro"), withDestinationURL: packets[2])
        // A link back up would loop forever if links to folders were followed.
        try FileManager.default.createSymbolicLink(at: nested.appendingPathComponent("loop"), withDestinationURL: dir.url)

        let summary = try db.ingest([dir.path])
        XCTAssertEqual(summary.read, 2)
        XCTAssertEqual(summary.counts.loaded, 2)
        XCTAssertEqual(try db.connection.execute("SELECT source FROM reject").rowCount, 0)
    }

    func testDerivedColumnsFollowTheirDefinitions() throws {
        _ = try db.ingest([Repository.sharedAlerts.path])
        // deltamagref exists exactly where 0 <= distnr < 2 (2017 packets say -999 for "no
        // reference source") and magnr is known.
        XCTAssertEqual(try db.scalar("""
            SELECT count(*) FROM candidate
            WHERE (deltamagref IS NOT NULL) <> (distnr >= 0 AND distnr < 2 AND magnr IS NOT NULL AND magpsf IS NOT NULL)
            """), "0")
        XCTAssertGreaterThan(Int(try db.scalar("SELECT count(*) FROM candidate WHERE distnr < 0") ?? "0") ?? 0, 0)
        XCTAssertEqual(try db.scalar("""
            SELECT count(*) FROM candidate WHERE deltamagref IS NOT NULL
            AND abs(deltamagref - (magnr::float8 - magpsf::float8)) > 1e-12
            """), "0")
        // deltamaglatest agrees with the stored history wherever the packet's history is the
        // object's whole stored history before this alert.
        XCTAssertGreaterThan(Int(try db.scalar("SELECT count(*) FROM candidate WHERE deltamaglatest IS NOT NULL")!)!, 0)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM candidate WHERE l < 0 OR l >= 360 OR b < -90 OR b > 90 OR l IS NULL"), "0")
    }
}
