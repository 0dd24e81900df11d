@testable import Store
import TestSupport
import XCTest

final class StoreStatisticsTests: XCTestCase {
    private var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    func testEveryLoadKeepsTheAlertCount() throws {
        XCTAssertEqual(try db.scalar("SELECT stored FROM alert_count"), "0")
        _ = try db.ingest([Repository.v3Alerts.path])
        _ = try db.ingest([Repository.v3Alerts.path])   // all duplicates: nothing counted twice
        let statistics = try StoreStatistics.read(from: db.connection)
        XCTAssertEqual(statistics.alertsStored, Int64(try db.count("candidate")))
        XCTAssertEqual(statistics.alertsStored, 33)
        XCTAssertEqual(statistics.newestJD, Double(try db.scalar("SELECT max(jd) FROM candidate")!)!)
        XCTAssertNotNil(statistics.lastStoredAt)
    }
}
