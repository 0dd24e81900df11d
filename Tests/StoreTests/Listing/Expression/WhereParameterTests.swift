import Postgres
@testable import Store
import TestSupport
import XCTest

/// `where=` as a listing parameter: one filter among the others, within the query's budgets.
final class WhereParameterTests: XCTestCase {
    let schema = ExpressionCheckerTests.schema

    func parse(_ items: [(String, String)]) throws -> ListingQuery {
        try ListingQuery.parse(items.map { (name: $0.0, value: $0.1) }, schema: schema, now: 2_460_000.5)
    }

    func assertRejected(_ items: [(String, String)], _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(items), file: file, line: line) { error in
            XCTAssertEqual((error as? ParameterError)?.parameter, "where", "\(error)", file: file, line: line)
            XCTAssertEqual((error as? ParameterError)?.message, message, file: file, line: line)
        }
    }

    func testWhereIsOneMoreConditionKeptForTheLinks() throws {
        let query = try parse([("rb__gte", "0.5"), ("where", "magpsf < 19 OR filter = 'g'")])
        XCTAssertEqual(query.conditions.count, 2)
        XCTAssertEqual(query.filterItems.map(\.name), ["rb__gte", "where"])
        XCTAssertTrue(try parse([("where", " \n ")]).conditions.isEmpty, "a blank box filters nothing")
        XCTAssertTrue(try parse([("where", " \n ")]).filterItems.isEmpty)
    }

    func testMistakesNameWhereAndTheCharacter() {
        assertRejected([("where", "magpsf >= ")], "where: at character 11: expected a value after '>='")
        assertRejected([("where", "magpfs < 1")], "where: at character 1: unknown column 'magpfs'; did you mean magpsf?")
        XCTAssertThrowsError(try parse([("where", "rb > 1"), ("where", "rb < 2")])) { error in
            XCTAssertEqual((error as? ParameterError)?.parameter, "where")
        }
    }

    func testTermsCountAgainstTheFilterBudgetWithTheOtherFilters() throws {
        let columns = ["magpsf", "magap", "distnr", "rb", "nbad", "ssdistnr", "jd", "ra", "dec", "candid"]
        var filters: [(String, String)] = []
        for column in columns {
            for suffix in ["gt", "gte", "lt", "lte"] where filters.count < 38 { filters.append(("\(column)__\(suffix)", "-1e30")) }
        }
        XCTAssertEqual(filters.count, 38)
        XCTAssertNoThrow(try parse(filters + [("where", "rb > 0 OR rb < 1")]))
        assertRejected(filters + [("where", "rb > 0 OR rb < 1 OR rb IS NULL")],
                       "where: at character 24: more than 2 terms (comparisons and function calls) beside the query's 38 other filters: a query combines at most 40")
        XCTAssertNoThrow(try parse([("where", Array(repeating: "rb > 0", count: 40).joined(separator: " OR "))]))
    }

    func testConesCountWithTheConeParameter() throws {
        XCTAssertNoThrow(try parse([("where", "cone(1, 2, 3) OR cone(4, 5, 6)")]))
        XCTAssertNoThrow(try parse([("cone", "1,2,3"), ("where", "NOT cone(4, 5, 6)")]))
        assertRejected([("cone", "1,2,3"), ("where", "cone(1, 2, 3) OR cone(4, 5, 6)")],
                       "where: at character 18: at most 1 cone() call here beside the query's cone or objectcone (2 cones in all): each costs milliseconds of planning")
        XCTAssertThrowsError(try parse([("objectcone", "ZTF18abcdefg,1"), ("where", "cone(1, 2, 3) OR cone(4, 5, 6)")])) { error in
            XCTAssertEqual((error as? ParameterError)?.parameter, "where")
        }
        XCTAssertNoThrow(try parse([("objectcone", "ZTF18abcdefg,1"), ("where", "cone(1, 2, 3)")]))
    }

    func testPagesOfAnExpressionFollowTheCursorWithoutGapOrRepeat() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        _ = try db.ingest([Repository.v3Alerts.path])
        let schema = try StoreSchema.read(from: db.connection)
        let store = AlertStore(countLimit: 10)
        let expected = try db.connection.execute("""
            SELECT id FROM candidate WHERE (magpsf < 19 AND magpsf <> 'NaN') OR (fid = 2 AND NOT (distnr < 1 AND distnr NOT IN (-999, -99)))
            ORDER BY magpsf ASC, id ASC
            """).rows.map { try $0.decode("id", as: Int64.self) }
        var items: [(name: String, value: String)] = [("where", "magpsf < 19 OR filter = 'r' AND NOT distnr < 1"), ("sort_value", "magpsf"), ("sort_order", "asc")]
        var seen: [Int64] = []
        while true {
            let page = try store.listing(try ListingQuery.parse(items, schema: schema), limit: 4, db: db.connection)
            seen += page.ids
            guard let next = page.nextCursor, seen.count < 100 else { break }
            items = Array(items.prefix(3)) + [("cursor", next)]
        }
        XCTAssertEqual(seen, expected)
        XCTAssertGreaterThan(expected.count, 4, "more than one page")
    }
}
