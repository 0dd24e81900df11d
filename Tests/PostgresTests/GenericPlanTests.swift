import Postgres
import TestSupport
import XCTest

/// `executeWithGenericPlan`: a statement prepared once per connection answers as `execute`
/// does for every value, runs with a generic plan, and leaves other statements to
/// PostgreSQL's own choice of plan.
final class GenericPlanTests: XCTestCase {
    var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    func testAPreparedStatementAnswersAsExecuteForEveryValue() throws {
        let connection = db.connection
        for (low, text) in [(Int64(3), "a"), (Int64(8), "b'c"), (Int64(-1), "")] {
            let statement: SQL = "SELECT count(*) AS n, \(text) AS echoed FROM generate_series(1, 10) g WHERE g > \(low)"
            let prepared = try connection.executeWithGenericPlan(statement)[0]
            let plain = try connection.execute(statement)[0]
            XCTAssertEqual(try prepared.decode("n", as: Int.self), try plain.decode("n", as: Int.self))
            XCTAssertEqual(try prepared.decode("echoed", as: String.self), text)
        }
    }

    func testGenericPlansAreForcedOnlyForPreparedStatements() throws {
        let connection = db.connection
        for low in [Int64(1), 5, 9] {
            try connection.executeWithGenericPlan("SELECT count(*) FROM generate_series(1, 10) g WHERE g > \(low)")
        }
        // PostgreSQL counts each prepared statement's plans: one generic plan, run three times.
        let plans = try connection.execute("""
            SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%generate_series(1, 10)%'
            """)
        XCTAssertEqual(plans.rowCount, 1, "prepared once")
        XCTAssertEqual(try plans[0].decode("generic_plans", as: Int.self), 3)
        XCTAssertEqual(try plans[0].decode("custom_plans", as: Int.self), 0)
        // Any other statement runs under PostgreSQL's own choice again.
        XCTAssertEqual(try connection.execute("SHOW plan_cache_mode")[0].decode(0, as: String.self), "auto")
    }

    func testAStatementWithoutParametersIsPlannedGenericallyWithoutChangingTheSetting() throws {
        let connection = db.connection
        // Run under the session's own setting: nothing here asks for generic plans.
        for _ in 0..<3 {
            XCTAssertEqual(try connection.executeWithGenericPlan("SELECT current_setting('plan_cache_mode') AS mode")[0]
                .decode("mode", as: String.self), "auto")
        }
        let plans = try connection.execute("""
            SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%current_setting(%'
            """)
        XCTAssertEqual(plans.rowCount, 1, "prepared once")
        XCTAssertEqual(try plans[0].decode("generic_plans", as: Int.self), 3)
        XCTAssertEqual(try plans[0].decode("custom_plans", as: Int.self), 0)
    }

    func testBinaryResultsOfAPreparedStatement() throws {
        let bytes: [UInt8] = [0, 1, 0x5c, 0xff, 0x27]
        let row = try db.connection.executeWithGenericPlan("SELECT decode('00015cff27', 'hex') AS stamp, \(Int64(7)) AS n",
                                                           resultFormat: .binary)[0]
        XCTAssertEqual(try row.decode("stamp", as: [UInt8].self), bytes)
        XCTAssertEqual(try row.decode("n", as: Int64.self), 7)
    }
}
