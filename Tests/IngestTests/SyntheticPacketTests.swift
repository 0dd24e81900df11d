import TestSupport
import BenchTools
import Store
import Foundation
import XCTest

/// The benchmark's synthetic packets must be real alerts: they load, and they repeat history
/// the way ZTF does.
final class SyntheticPacketTests: XCTestCase {
    func testSyntheticPacketsLoadWithSharedHistoriesAndSpreadOverTheSky() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        let dir = try TemporaryDirectory()
        let written = try SyntheticPackets(templateDirectory: Repository.v3Alerts.path, seed: 7).write(count: 300, to: dir.path)
        XCTAssertEqual(written.packets, 300)
        XCTAssertLessThan(written.objects, 300, "some objects should have several alerts")

        let summary = try db.ingest([dir.path])
        XCTAssertEqual(summary.counts.loaded, 300)
        XCTAssertEqual(try db.scalar(#"SELECT count(DISTINCT "objectId") FROM candidate"#), String(written.objects))
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM candidate WHERE dec <= -30 OR ra < 0 OR ra >= 360"), "0")
        // An object's alerts share its history: fewer stored rows than rows sent.
        let sent = Int(try db.scalar("""
            SELECT sum(n) FROM (SELECT count(*) n FROM candidate GROUP BY "objectId") a
            """)!)!
        XCTAssertEqual(sent, 300)
        XCTAssertEqual(try db.scalar("""
            SELECT count(*) FROM prv_candidate p JOIN candidate c USING ("objectId") WHERE p.jd >= c.jd
            """), "0", "history must precede the alerts")

        // Same seed, same packets.
        let again = try TemporaryDirectory()
        _ = try SyntheticPackets(templateDirectory: Repository.v3Alerts.path, seed: 7).write(count: 300, to: again.path)
        XCTAssertEqual(try db.ingest([again.path]).counts.duplicate, 300)
    }
}
