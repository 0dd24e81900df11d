import Model
import Postgres
@testable import Store
import TestSupport
import XCTest

/// The objects listing: filters, orders and cursors agree with SQL over the object table, on
/// both plans (counted and sorted, walked in order), and an object is found in any case.
final class ObjectListingTests: XCTestCase {
    var db: TestDatabase!

    override func setUpWithError() throws {
        db = try TestDatabase()
        _ = try db.ingest([Repository.v3Alerts.path, Repository.alerts2017.path])
    }

    override func tearDown() { db?.drop() }

    func query(_ items: [(String, String)]) throws -> ObjectListingQuery {
        try ObjectListingQuery.parse(items.map { (name: $0.0, value: $0.1) })
    }

    /// objectIds in listing order, straight from SQL: objects without the figure last.
    func expected(_ condition: String = "TRUE", sort: String = "lastjd", ascending: Bool = false) throws -> [String] {
        let direction = ascending ? "ASC" : "DESC"
        return try db.connection.execute(SQL(unchecked: """
            SELECT "objectId" FROM object WHERE \(condition)
            ORDER BY \(sort) IS NULL, \(sort) \(direction), "objectId" \(direction)
            """)).rows.map { try $0.decode(0) }
    }

    /// Every page, following `next` cursors, then back again with `previous` cursors.
    func walk(_ store: ObjectStore, _ items: [(String, String)], limit: Int) throws -> (forward: [String], back: [String], pages: [ObjectListingPage]) {
        var pages = [try store.listing(try query(items), limit: limit, db: db.connection)]
        while let next = pages.last!.nextCursor {
            pages.append(try store.listing(try query(items + [("cursor", next)]), limit: limit, db: db.connection))
            XCTAssertLessThan(pages.count, 400, "the cursor must reach the end")
            if pages.count >= 400 { break }
        }
        var back = pages.last!.objects.map(\.objectId)
        var page = pages.last!
        while let previous = page.previousCursor {
            page = try store.listing(try query(items + [("cursor", previous)]), limit: limit, db: db.connection)
            back = page.objects.map(\.objectId) + back
        }
        return (pages.flatMap { $0.objects.map(\.objectId) }, back, pages)
    }

    func testTheDefaultOrderIsTheLastDetectionNewestFirstOnBothPlans() throws {
        let all = try expected()
        XCTAssertEqual(all.count, 1102)
        for cap in [10, 10_000] {
            let store = ObjectStore(countLimit: cap)
            let (forward, back, pages) = try walk(store, [], limit: 97)
            XCTAssertEqual(forward, all, "cap \(cap)")
            XCTAssertEqual(back, all, "cap \(cap), going back")
            XCTAssertEqual(pages.first!.countIsEstimate, cap == 10)
            if cap == 10_000 { XCTAssertEqual(pages.first!.count, 1102) }
        }
    }

    func testFiltersAgreeWithSQL() throws {
        let near = try db.connection.execute(#"SELECT ra, dec FROM object WHERE "objectId" = 'ZTF18abomhfb'"#)[0]
        let (ra, dec): (Double, Double) = (try near.decode("ra"), try near.decode("dec"))
        let cases: [([(String, String)], String)] = [
            ([("ndet__gte", "5")], "ndet >= 5"),
            ([("ndet__gt", "20"), ("nalerts__lte", "1")], "ndet > 20 AND nalerts <= 1"),
            ([("lastjd__gt", "2458450.5")], "lastjd > 2458450.5"),
            ([("firstjd__lt", "2458100")], "firstjd < 2458100"),
            ([("brightest_r__lte", "16.5")], "brightest_r <= 16.5::real"),
            ([("brightest_g__gte", "18")], "brightest_g >= 18::real"),
            ([("lastmag_g__lt", "19")], "lastmag_g < 19::real"),
            ([("dec__gt", "60")], "dec > 60"),
            ([("cone", "\(ra),\(dec),0.5")], "q3c_radial_query(ra, dec, \(ra), \(dec), 0.5)"),
            ([("cone", "\(ra),\(dec),0.5"), ("ndet__gte", "2")], "q3c_radial_query(ra, dec, \(ra), \(dec), 0.5) AND ndet >= 2"),
        ]
        for (items, condition) in cases {
            let wanted = try expected(condition)
            XCTAssertFalse(wanted.isEmpty, "\(items) matches something")
            for cap in [5, 10_000] {
                let (forward, back, pages) = try walk(ObjectStore(countLimit: cap), items, limit: 7)
                XCTAssertEqual(forward, wanted, "\(items), cap \(cap)")
                XCTAssertEqual(back, wanted, "\(items), cap \(cap), going back")
                if wanted.count <= cap { XCTAssertEqual(pages.first!.count, wanted.count, "\(items)") }
            }
        }
    }

    func testObjectsWithoutTheFigureComeLastInBothOrders() throws {
        for column in ["brightest_g", "lastjd_g", "ndet"] {
            for ascending in [false, true] {
                let items = [("sort_value", column), ("sort_order", ascending ? "asc" : "desc")]
                let wanted = try expected(sort: column, ascending: ascending)
                for cap in [10, 10_000] {
                    let (forward, back, _) = try walk(ObjectStore(countLimit: cap), items, limit: 50)
                    XCTAssertEqual(forward, wanted, "\(items), cap \(cap)")
                    XCTAssertEqual(back, wanted, "\(items), cap \(cap), going back")
                }
            }
        }
        let page = try ObjectStore().listing(try query([("sort_value", "brightest_g"), ("sort_order", "asc")]), db: db.connection)
        XCTAssertEqual(page.objects.first?.figures["brightest_g"].double ?? 0,
                       try db.connection.execute("SELECT min(brightest_g)::float8 AS m FROM object")[0].decode("m", as: Double.self), accuracy: 1e-5)
    }

    /// The objects listing takes no `where=`, but the expression language compiles against the
    /// object catalogue as it is: adding it is one call.
    func testAFilterExpressionCompilesAgainstTheObjectCatalogue() throws {
        let compiled = try ObjectCatalogue.expressions.compile(
            "ndet >= 5 AND (brightest_r < 17 OR objectId = 'ztf18ABOMHFB' OR cone(13.5, -6.2, 0.3)) AND brightest_i IS NULL")
        let got = try db.connection.execute(#"SELECT o."objectId" FROM object o WHERE \#(compiled.condition) ORDER BY 1"#)
            .rows.map { try $0.decode(0, as: String.self) }
        let wanted = try expected(#"ndet >= 5 AND (brightest_r < 17 OR "objectId" = 'ZTF18abomhfb' OR q3c_radial_query(ra, dec, 13.5, -6.2, 0.3)) AND brightest_i IS NULL"#)
        XCTAssertEqual(got, wanted.sorted())
        XCTAssertFalse(got.isEmpty)
    }

    func testPagesByNumber() throws {
        let store = ObjectStore()
        let wanted = try expected()
        let second = try store.listing(try query([("page", "2")]), limit: 40, db: db.connection)
        XCTAssertEqual(second.objects.map(\.objectId), Array(wanted[40..<80]))
        XCTAssertTrue(second.hasPrevious && second.hasNext)
    }

    func testBadRequestsNameTheirParameter() {
        let cases: [([(String, String)], String)] = [
            ([("rb__gte", "0.5")], "rb__gte"),                   // an alert filter, not an object one
            ([("ndet__gte", "1"), ("ndet__gte", "2")], "ndet__gte"),
            ([("ndet__gte", "x")], "ndet__gte"),
            ([("cone", "1,2")], "cone"),
            ([("sort_value", "magpsf")], "sort_value"),
            ([("sort_order", "up")], "sort_order"),
            ([("latest_id__gt", "1")], "latest_id__gt"),
            ([("cursor", "nonsense")], "cursor"),
            ([("page", "2"), ("cursor", "x")], "cursor"),
            (ObjectCatalogue.filters.dropFirst().prefix(ListingQuery.maxFilters + 1).map { ($0.parameter, "1") },
             ObjectCatalogue.filters[ListingQuery.maxFilters + 1].parameter),
        ]
        for (items, parameter) in cases {
            XCTAssertThrowsError(try query(items), "\(items)") { error in
                guard let error = error as? ParameterError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.parameter, parameter, error.message)
            }
        }
        // A cursor of one order is refused in another.
        let cursor = ObjectCursor(sortColumn: "ndet", ascending: true, value: "3", objectId: "ZTF18abcdefg").token
        XCTAssertNoThrow(try query([("sort_value", "ndet"), ("sort_order", "asc"), ("cursor", cursor)]))
        XCTAssertThrowsError(try query([("cursor", cursor)]))
    }

    func testACursorReadsBackWhatItWasMadeOf() {
        let cursor = ObjectCursor(sortColumn: "brightest_r", ascending: false, value: nil, objectId: "name with space", backward: true)
        XCTAssertEqual(ObjectCursor(token: cursor.token), cursor)
        XCTAssertNil(ObjectCursor(token: Cursor(sortColumn: "jd", ascending: false, value: "1", id: 5).token), "an alert cursor is not an object cursor")
    }

    func testAnObjectIsFoundInAnyCaseWithItsWholeLightCurve() throws {
        let store = ObjectStore()
        XCTAssertNil(try store.object(named: "ZTF00aaaaaaa", db: db.connection))
        for name in ["ZTF18abomhfb", "ztf18ABOMHFB", "zTf18AbOmHfB"] {
            XCTAssertEqual(try store.object(named: name, db: db.connection)?.objectId, "ZTF18abomhfb", name)
        }
        // Every object with history: its light curve holds each alert, history detection and
        // non-detection once, its detections are ndet, and it is sorted by jd.
        let objects = try db.connection.execute(#"SELECT "objectId", ndet FROM object WHERE "objectId" IN (SELECT "objectId" FROM prv_candidate) ORDER BY ndet DESC LIMIT 40"#).rows
        XCTAssertGreaterThan(objects.count, 10)
        for row in objects {
            let name: String = try row.decode("objectId")
            guard let detail = try store.detail(named: name.uppercased(), db: db.connection) else { return XCTFail(name) }
            let curve = detail.lightCurve
            let detections = curve.filter { $0.kind != .nonDetection }
            XCTAssertEqual(detections.count, try row.decode("ndet", as: Int.self), name)
            let candids = detections.compactMap { $0.candidate["candid"].double }
            XCTAssertEqual(Set(candids).count, candids.count, "\(name): a candid twice")
            let alerts = try db.connection.execute(#"SELECT id FROM candidate WHERE "objectId" = \#(name) ORDER BY id"#).rows.map { try $0.decode(0, as: Int64.self) }
            XCTAssertEqual(curve.compactMap { if case .alert(let id) = $0.kind { id } else { nil } }.sorted(), alerts, name)
            let limits: Int = try db.connection.execute(#"SELECT count(*) FROM prv_candidate WHERE "objectId" = \#(name) AND candid IS NULL"#)[0].decode(0)
            XCTAssertEqual(curve.count - detections.count, limits, name)
            let jds = curve.compactMap { $0.candidate["jd"].double }
            XCTAssertEqual(jds, jds.sorted(), name)
            XCTAssertEqual(detail.photometry.count, curve.count)
            XCTAssertEqual(detail.photometry.filter { $0.magpsf != nil }.count, detections.count)
        }
    }
}
