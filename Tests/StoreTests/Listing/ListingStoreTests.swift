@testable import Store
import TestSupport
import Postgres
import XCTest

/// The listing's two plans (few matches sorted from the filter's index; many matches walked in
/// order) and its cursors, on the shared packets, with the exact-count cap lowered so that both
/// plans run on 33 alerts.
final class ListingStoreTests: XCTestCase {
    var db: TestDatabase!
    var schema: StoreSchema!

    override func setUpWithError() throws {
        db = try TestDatabase()
        _ = try db.ingest([Repository.v3Alerts.path])
        schema = try StoreSchema.read(from: db.connection)
    }

    override func tearDown() { db?.drop() }

    func query(_ items: [(String, String)]) throws -> ListingQuery {
        try ListingQuery.parse(items.map { (name: $0.0, value: $0.1) }, schema: schema)
    }

    /// Ids in listing order, straight from SQL.
    func expectedIDs(_ condition: SQL = "TRUE", ascending: Bool = false) throws -> [Int64] {
        let direction: SQL = ascending ? "ASC" : "DESC"
        return try db.connection.execute("SELECT id FROM candidate c WHERE \(condition) ORDER BY jd \(direction), id \(direction)")
            .rows.map { try $0.decode("id") }
    }

    /// Every page, following `next` cursors, then back again with `previous` cursors.
    func walk(_ store: AlertStore, _ items: [(String, String)], limit: Int) throws -> (forward: [Int64], back: [Int64], pages: [ListingPage]) {
        var pages = [try store.listing(try query(items), limit: limit, db: db.connection)]
        while let next = pages.last!.nextCursor {
            pages.append(try store.listing(try query(items + [("cursor", next)]), limit: limit, db: db.connection))
            XCTAssertLessThan(pages.count, 100, "the cursor must reach the end")
        }
        var back: [Int64] = pages.last!.ids
        var page = pages.last!
        while let previous = page.previousCursor {
            page = try store.listing(try query(items + [("cursor", previous)]), limit: limit, db: db.connection)
            back = page.ids + back
        }
        return (pages.flatMap(\.ids), back, pages)
    }

    func testFewMatchesAreCountedExactlyAndPagedWithoutGapOrRepeat() throws {
        let store = AlertStore(countLimit: 100)
        let (forward, back, pages) = try walk(store, [], limit: 5)
        XCTAssertEqual(forward, try expectedIDs())
        XCTAssertEqual(back, forward)
        XCTAssertTrue(pages.allSatisfy { $0.count == 33 && !$0.countIsEstimate })
    }

    func testManyMatchesWalkTheOrderAndAreNotCountedTwice() throws {
        let store = AlertStore(countLimit: 10)
        let (forward, back, pages) = try walk(store, [], limit: 5)
        XCTAssertEqual(forward, try expectedIDs())
        XCTAssertEqual(back, forward)
        XCTAssertTrue(pages.allSatisfy { $0.countIsEstimate && $0.count >= 11 })
        XCTAssertNotNil(store.cappedCounts.estimate("TRUE"), "the broad filter is remembered")
        // A filter with few matches under the same cap is counted exactly.
        let few = try store.listing(try query([("rb__gte", "0.9")]), limit: 5, db: db.connection)
        XCTAssertEqual(few.count, try expectedIDs("rb >= 0.9").count)
        XCTAssertFalse(few.countIsEstimate)
    }

    func testBroadFiltersArePagedFromTheEstimateWithoutCountingAndWithoutGapOrRepeat() throws {
        // Statistics, as autovacuum would have gathered them, so that the planner's estimate
        // (about 33 rows for rb >= 0) is ten times the lowered cap: every page is read by the
        // bounded walk. A fresh store per page forgets the filter, so no page takes the
        // remembered-count path instead.
        try db.connection.execute("ANALYZE candidate")
        let items = [("rb__gte", "0"), ("sort_order", "asc")]
        func page(_ extra: [(String, String)]) throws -> ListingPage {
            try AlertStore(countLimit: 1).listing(try query(items + extra), limit: 4, db: db.connection)
        }
        var pages = [try page([])]
        while let next = pages.last!.nextCursor, pages.count < 20 { pages.append(try page([("cursor", next)])) }
        let expected = try expectedIDs("rb >= 0", ascending: true)
        XCTAssertEqual(pages.flatMap(\.ids), expected)
        XCTAssertTrue(pages.allSatisfy { $0.countIsEstimate && $0.count > 10 }, "\(pages.map(\.count))")
        var back = pages.last!.ids, current = pages.last!
        while let previous = current.previousCursor {
            current = try page([("cursor", previous)])
            back = current.ids + back
        }
        XCTAssertEqual(back, expected)
        XCTAssertEqual(try page([("page", "3")]).ids, Array(expected[8..<12]))
    }

    func testFiltersEstimatedPastTheCapAreWalkedOnlyWhereTheirNewestAlertsHoldAPage() throws {
        // With statistics, rb >= 0 is estimated at about 33 matches: past a cap of 10, short of
        // ten times it. Its newest alerts hold a page, which is read without counting.
        try db.connection.execute("ANALYZE candidate")
        let dense = try AlertStore(countLimit: 10).listing(try query([("rb__gte", "0")]), limit: 4, db: db.connection)
        XCTAssertEqual(dense.ids, Array(try expectedIDs("rb >= 0").prefix(4)))
        XCTAssertTrue(dense.countIsEstimate && dense.count > 10, "\(dense.count)")
        // The alerts of the lowest pids (and ids), through an expression the planner cannot see
        // into: estimated at a third of the alerts, past the cap, but last in the listing's
        // order, not among the newest. They are counted, and the count is exact.
        let pid = try db.connection.execute("SELECT pid FROM candidate ORDER BY pid OFFSET 7 LIMIT 1")[0].decode("pid", as: Int64.self)
        let sparse = try AlertStore(countLimit: 10).listing(try query([("where", "abs(pid) <= \(pid)")]), limit: 4, db: db.connection)
        let expected = try expectedIDs("pid <= \(pid)")
        XCTAssert((5...10).contains(expected.count), "\(expected.count)")
        XCTAssertEqual(sparse.ids, Array(expected.prefix(4)))
        XCTAssertEqual(sparse.count, expected.count)
        XCTAssertFalse(sparse.countIsEstimate)
    }

    func testAscendingOrderAndPagesByNumber() throws {
        let store = AlertStore(countLimit: 10)
        let items = [("sort_value", "jd"), ("sort_order", "asc")]
        XCTAssertEqual(try walk(store, items, limit: 7).forward, try expectedIDs(ascending: true))
        let second = try store.listing(try query(items + [("page", "2")]), limit: 7, db: db.connection)
        XCTAssertEqual(second.ids, Array(try expectedIDs(ascending: true)[7..<14]))
        XCTAssertTrue(second.hasPrevious && second.hasNext)
    }

    func testIdsOnlyPagesMatchFullPages() throws {
        let store = AlertStore()
        let full = try store.listing(try query([("filter", "r")]), db: db.connection)
        let ids = try store.listing(try query([("filter", "r")]), idsOnly: true, db: db.connection)
        XCTAssertEqual(ids.ids, full.alerts.map(\.id))
        XCTAssertTrue(ids.alerts.isEmpty)
        XCTAssertEqual(try store.alerts(ids: ids.ids, db: db.connection).count, ids.ids.count)
    }
}
