import Foundation
import Ingest
import Model
import Postgres
@testable import Store
import Synchronization
import TestSupport
import XCTest

/// The `object` table: kept by every load, equal to a rebuild from scratch and to figures
/// worked out independently, whatever the batches, repeats, orders and concurrent loaders.
final class ObjectTableTests: XCTestCase {
    var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    var allPackets: [String] {
        get throws { try (sharedPackets(Repository.v3Alerts) + sharedPackets(Repository.alerts2017)).map(\.path) }
    }

    func testSmallBatchesAndRepeatsLeaveTheTableEqualToARebuild() throws {
        let summary = try db.ingest(try allPackets, batchSize: 7)
        XCTAssertEqual(summary.counts.loaded, 1104)
        XCTAssertEqual(try db.count("object"), Int(try db.scalar(#"SELECT count(DISTINCT "objectId") FROM candidate"#)!)!)
        try ObjectFiguresOracle.assertTableMatches(db.connection, "after loading")
        try ObjectFiguresOracle.assertTableEqualsRebuild(db.connection, "after loading")
        // History detections that are stored alerts count once: the 2017 packets repeat the
        // alert itself in prv_candidates, which must not double ndet.
        XCTAssertEqual(try db.scalar(#"SELECT ndet FROM object WHERE "objectId" = 'ZTF18abomhfb'"#), "26")

        let before = try db.scalar("SELECT md5(string_agg(o::text, ',' ORDER BY \"objectId\")) FROM object o")
        let again = try db.ingest(try allPackets.reversed(), batchSize: 5)
        XCTAssertEqual(again.counts.duplicate, 1104)
        XCTAssertEqual(try db.scalar("SELECT md5(string_agg(o::text, ',' ORDER BY \"objectId\")) FROM object o"), before,
                       "loading the same packets again changes no figure")
        try ObjectFiguresOracle.assertTableEqualsRebuild(db.connection, "after loading again")
    }

    func testOnePacketPerBatchGivesTheSameFigures() throws {
        // Every packet in a transaction of its own: ZTF17aabtdps's two alerts arrive in two batches.
        _ = try db.ingest(try allPackets, batchSize: 1)
        try ObjectFiguresOracle.assertTableMatches(db.connection, "one packet per batch")
        try ObjectFiguresOracle.assertTableEqualsRebuild(db.connection, "one packet per batch")
        XCTAssertEqual(try db.scalar(#"SELECT nalerts FROM object WHERE "objectId" = 'ZTF17aabtdps'"#), "2")
    }

    func testTheMigrationFillsTheTableWithWhatTheLoaderKeeps() throws {
        _ = try db.ingest(try allPackets, batchSize: 50)
        let kept = try ObjectFiguresOracle.stored(db.connection)
        // As if the archive had been loaded before migration 7: the table and the function go,
        // and migrating again fills the table from the stored alerts.
        try db.connection.execute("DROP TABLE object CASCADE")
        try db.connection.execute("DROP FUNCTION IF EXISTS object_figures(text[])")
        try db.connection.execute("DELETE FROM schema_migration WHERE version = 7")
        let applied = try Migrator(directory: Repository.migrations).migrate(db.connection)
        XCTAssertEqual(applied.map(\.version), [7])
        XCTAssertEqual(try ObjectFiguresOracle.stored(db.connection).count, kept.count)
        XCTAssertTrue(try ObjectFiguresOracle.stored(db.connection) == kept, "the migration's figures are the loader's")
        try ObjectFiguresOracle.assertTableMatches(db.connection, "after the migration")
    }

    func testMissingValuesCountNowhere() throws {
        _ = try db.ingest(try allPackets, batchSize: 100)
        let objectId = "ZTF18abomhfb"
        // Its brightest g and r, its latest r, and one history detection's position become NaN.
        try db.connection.execute(#"""
            UPDATE prv_candidate SET magpsf = 'NaN' WHERE "objectId" = \#(objectId) AND candid IS NOT NULL
               AND magpsf = (SELECT min(q.magpsf) FROM prv_candidate q WHERE q."objectId" = \#(objectId) AND q.fid = prv_candidate.fid)
            """#)
        try db.connection.execute(#"""
            UPDATE prv_candidate SET ra = 'NaN', dec = 'NaN' WHERE "objectId" = \#(objectId)
               AND candid = (SELECT max(candid) FROM prv_candidate WHERE "objectId" = \#(objectId))
            """#)
        // Another's is infinite, which cosd() refuses.
        try db.connection.execute(#"""
            UPDATE prv_candidate SET ra = 'Infinity', dec = '-Infinity' WHERE "objectId" = \#(objectId)
               AND candid = (SELECT min(candid) FROM prv_candidate WHERE "objectId" = \#(objectId))
            """#)
        try db.connection.execute(#"UPDATE candidate SET magpsf = 'NaN' WHERE "objectId" = \#(objectId)"#)
        try db.connection.transaction { try ObjectTable.refresh([objectId], db: db.connection) }
        try ObjectFiguresOracle.assertTableMatches(db.connection, "with NaNs")
        try ObjectFiguresOracle.assertTableEqualsRebuild(db.connection, "with NaNs")
        let row = try db.connection.execute(#"SELECT * FROM object WHERE "objectId" = \#(objectId)"#)[0]
        for column in ["brightest_g", "brightest_r", "lastmag_g", "lastmag_r", "ra", "dec"] {
            let value: Double? = try row.decode(column)
            XCTAssertFalse(value?.isNaN ?? true, "\(column) is \(String(describing: value))")
        }
        XCTAssertEqual(try row.decode("ndet", as: Int.self), 26, "a detection without a magnitude is still a detection")
    }

    func testTheFiguresReadNoColumnWithASentinel() {
        // object_figures drops NaN only: if ZTF ever wrote -999 in one of these, it would have to drop that too.
        for column in ["jd", "fid", "magpsf", "ra", "dec"] {
            XCTAssertNil(ZTFMissingValues.columns[column], "\(column) has a sentinel: Migrations/0007's object_figures must leave it out")
        }
    }

    func testTheCatalogueIsTheTable() throws {
        let columns = try db.connection.columns(of: "object")
        XCTAssertEqual(columns.map(\.name), ObjectCatalogue.columns.map(\.name))
        XCTAssertEqual(columns.map(\.type), ObjectCatalogue.columns.map(\.type))
    }

    /// Two loaders with alerts of one object stored before: the second waits for the first's
    /// lock on the object, and its figures, computed after, count the first's alert too.
    func testALoaderWaitingForAnObjectsLockCountsWhatTheOtherCommitted() throws {
        try twoLoadersOfOneObject(objectStoredBefore: true)
    }

    /// Two loaders with the first alerts of a new object: the second finds the row the first
    /// is inserting, waits for it, and recomputes the figures with the first's alert.
    func testALoaderWaitingForAnObjectsInsertCountsWhatTheOtherCommitted() throws {
        try twoLoadersOfOneObject(objectStoredBefore: false)
    }

    /// Loader A (a connection of the test's) stores a made-up alert of a packet's object and
    /// refreshes the object, and holds its transaction open; loader B (FileIngest) stores the
    /// packet meanwhile. B must wait for A, and its figures must count A's alert.
    func twoLoadersOfOneObject(objectStoredBefore: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let packet = try sharedPackets(Repository.v3Alerts)[0].path
        _ = try db.ingest([packet])
        let row = try db.connection.execute(#"SELECT "objectId", lastjd, ra, dec FROM object"#)[0]
        let (objectId, jd, ra, dec): (String, Double, Double, Double) =
            (try row.decode("objectId"), try row.decode("lastjd"), try row.decode("ra"), try row.decode("dec"))
        // Take that alert away again (and its object, unless it is to stay): the packet will be loaded anew.
        try db.connection.execute("DELETE FROM candidate_key")
        try db.connection.execute("DELETE FROM candidate")
        try db.connection.execute("DELETE FROM prv_candidate")
        // Loader A's made-up alert is written by hand: its month partition too.
        try db.connection.execute("SELECT ensure_partitions('candidate', ARRAY[\(jd + 1)])")
        if !objectStoredBefore { try db.connection.execute("DELETE FROM object") }

        // Loader A: an alert of the object (made up, a day later, in g at 12.5), then the object.
        let a = try Connection(db.url)
        try a.execute("BEGIN")
        try a.execute(#"""
            INSERT INTO candidate (candid, "objectId", jd, fid, magpsf, ra, dec)
            VALUES (1, \#(objectId), \#(jd + 1), 1, 12.5, \#(ra), \#(dec))
            """#)
        try ObjectTable.refresh([objectId], db: a)

        // Loader B: the real packet, with a loader of its own.
        let outcome = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        let url = db.url
        DispatchQueue.global().async {
            do {
                let summary = try FileIngest(inputs: [packet], database: url).run()
                outcome.withLock { $0 = "loaded \(summary.counts.loaded)" }
            } catch {
                outcome.withLock { $0 = "failed: \(error)" }
            }
            done.signal()
        }
        // B stores its alert, then waits for A: for the object's row lock, or for A's insert of the row.
        let deadline = Date().addingTimeInterval(60)
        while try db.connection.execute("""
            SELECT 1 FROM pg_locks l JOIN pg_stat_activity s USING (pid)
            WHERE NOT l.granted AND s.datname = current_database()
            """).rowCount == 0 {
            guard Date() < deadline else { XCTFail("loader B never waited for A", file: file, line: line); break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        try a.execute("COMMIT")
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success, file: file, line: line)
        XCTAssertEqual(outcome.withLock { $0 }, "loaded 1", file: file, line: line)

        let figures = try db.connection.execute(#"SELECT nalerts, brightest_g FROM object WHERE "objectId" = \#(objectId)"#)[0]
        XCTAssertEqual(try figures.decode("nalerts", as: Int.self), 2, "B's figures count A's alert", file: file, line: line)
        XCTAssertEqual(try figures.decode("brightest_g", as: Double.self), 12.5, file: file, line: line)
        try ObjectFiguresOracle.assertTableEqualsRebuild(db.connection, "after two loaders", file: file, line: line)
    }

    /// Three loaders of the same packets in three orders, at once, in small batches.
    func testConcurrentLoadersLeaveTheTableEqualToARebuild() throws {
        let packets = try allPackets
        var shuffled = packets
        var random = SystemRandomNumberGenerator()
        shuffled.shuffle(using: &random)
        let orders = [packets, packets.reversed(), shuffled]
        let url = db.url
        let loaded = Atomic(0)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: orders.count) { index in
            var ingest = FileIngest(inputs: orders[index], database: url)
            ingest.options.batchSize = 20
            do {
                loaded.add(try ingest.run().counts.loaded, ordering: .relaxed)
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        XCTAssertEqual(loaded.load(ordering: .relaxed), 1104)
        try ObjectFiguresOracle.assertTableMatches(db.connection, "after three loaders")
        try ObjectFiguresOracle.assertTableEqualsRebuild(db.connection, "after three loaders")
    }
}
