@testable import Store
import TestSupport
import Postgres
import XCTest

/// The listing's figures from PostgreSQL's statistics: the catalogue's count of alerts, and the
/// planner's estimate of a filter's matches, asked of two full months when they agree and of
/// every month when they do not (a filter correlated with time).
final class CandidateStatisticsTests: XCTestCase {
    var db: TestDatabase!

    /// Alerts by SQL in four months of 2019: 3,000 in January, 1,000 in February, 3,000 in March
    /// (the full months) and 200 in April (too few to stand for the archive), rb and magpsf
    /// drawn alike in every month.
    override func setUpWithError() throws {
        db = try TestDatabase()
        let months: [(start: Double, days: Double, count: Int)] = [
            (2458484.5, 30, 3000), (2458515.5, 27, 1000), (2458543.5, 30, 3000), (2458574.5, 29, 200),
        ]
        try db.connection.execute("SELECT setseed(0.5)")
        var first = 1
        for month in months {
            try db.connection.execute("SELECT ensure_partitions('candidate', ARRAY[\(month.start + 1)])")
            try db.connection.execute("""
                INSERT INTO candidate (id, candid, "objectId", jd, fid, rb, magpsf, ra, dec)
                SELECT g, g, 'ZTF19' || g, \(month.start) + \(month.days) * (g - \(first)) / \(Double(month.count)), 1,
                       random(), 14 + 8 * random(), 360 * random(), 60 * random() - 30
                FROM generate_series(\(first), \(first + month.count - 1)) g
                """)
            first += month.count
        }
        try db.connection.execute("ANALYZE candidate")
    }

    override func tearDown() { db?.drop() }

    func count(_ condition: SQL) throws -> Int {
        try db.connection.execute("SELECT count(*) FROM candidate c WHERE \(condition)")[0].decode(0, as: Int.self)
    }

    func testTheCatalogueCountsEveryMonthAndTheFullOnesStandForTheArchive() throws {
        let statistics = try CandidateStatistics.read(db: db.connection)
        XCTAssertEqual(statistics.total, 7200)
        XCTAssertEqual(statistics.fullMonths.map(\.name), ["candidate_2019_01", "candidate_2019_02", "candidate_2019_03"])
    }

    func testAFilterAlikeInEveryMonthIsEstimatedFromTheOldestAndNewestFullMonth() throws {
        let statistics = try CandidateStatistics.read(db: db.connection)
        let filter: SQL = "c.rb >= \(0.7) AND c.magpsf <= \(19.0)"
        let scaled = try ["candidate_2019_01", "candidate_2019_03"].map { month in
            Double(try db.connection.plannedRows(of: "SELECT 1 FROM \(SQL.identifier(month)) c WHERE \(filter)"))
                * 7200 / 3000
        }
        let estimate = try statistics.matches(filter, db: db.connection)
        XCTAssertEqual(estimate, Int(((scaled[0] + scaled[1]) / 2).rounded()))
        let actual = try count(filter)
        XCTAssertEqual(Double(estimate), Double(actual), accuracy: 0.2 * Double(actual), "true count \(actual)")
    }

    func testAFilterCorrelatedWithTimeIsPlannedOverEveryMonth() throws {
        // The alerts since the middle of March: none in January, so the two months disagree.
        let filter: SQL = "c.jd >= \(2458558.5)"
        let january = try db.connection.plannedRows(of: "SELECT 1 FROM candidate_2019_01 c WHERE \(filter)")
        let march = try db.connection.plannedRows(of: "SELECT 1 FROM candidate_2019_03 c WHERE \(filter)")
        XCTAssertGreaterThan(march, 2 * max(january, 1))
        let estimate = try CandidateStatistics.read(db: db.connection).matches(filter, db: db.connection)
        XCTAssertEqual(estimate, try db.connection.plannedRows(of: "SELECT 1 FROM candidate c WHERE \(filter)"))
        let actual = try count(filter)
        XCTAssertEqual(Double(estimate), Double(actual), accuracy: 0.2 * Double(actual), "true count \(actual)")
    }

    func testAnArchiveOfOneFullMonthIsPlannedWhole() throws {
        try db.connection.execute("DELETE FROM candidate WHERE jd < \(2458543.5)")
        try db.connection.execute("ANALYZE candidate")
        let statistics = try CandidateStatistics.read(db: db.connection)
        XCTAssertEqual(statistics.fullMonths.map(\.name), ["candidate_2019_03"])
        let filter: SQL = "c.rb >= \(0.7)"
        XCTAssertEqual(try statistics.matches(filter, db: db.connection),
                       try db.connection.plannedRows(of: "SELECT 1 FROM candidate c WHERE \(filter)"))
    }

    func testAMonthDroppedSinceTheCatalogueWasReadLeavesTheWholeTableToPlan() throws {
        let statistics = try CandidateStatistics.read(db: db.connection)
        try db.connection.execute("DROP TABLE candidate_2019_01")   // as `alertdb retention` may, meanwhile
        let filter: SQL = "c.rb >= \(0.7)"
        XCTAssertEqual(try statistics.matches(filter, db: db.connection),
                       try db.connection.plannedRows(of: "SELECT 1 FROM candidate c WHERE \(filter)"))
    }

    func testAlertsWithoutAMonthCountButAreNoMonth() throws {
        try db.connection.execute("""
            INSERT INTO candidate (id, candid, "objectId", jd, fid, rb, magpsf, ra, dec)
            SELECT g, g, 'ZTF19' || g, NULL, 1, random(), 14 + 8 * random(), 0, 0 FROM generate_series(10001, 13000) g
            """)
        try db.connection.execute("ANALYZE candidate")
        let statistics = try CandidateStatistics.read(db: db.connection)
        XCTAssertEqual(statistics.total, 10200)
        XCTAssertEqual(statistics.fullMonths.map(\.name), ["candidate_2019_01", "candidate_2019_02", "candidate_2019_03"])
    }
}
