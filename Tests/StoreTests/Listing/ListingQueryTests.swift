import Model
import Postgres
@testable import Store
import XCTest

final class ListingQueryTests: XCTestCase {
    let schema = StoreSchema(columns: [("jd", .float8), ("magpsf", .float4), ("rb", .float4),
                                              ("nbad", .int4), ("candid", .int8), ("id", .int8)])

    func parse(_ items: [(String, String)]) throws -> ListingQuery {
        try ListingQuery.parse(items.map { (name: $0.0, value: $0.1) }, schema: schema, now: 2_460_000.5)
    }

    func assertRejected(_ items: [(String, String)], parameter: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(items), file: file, line: line) { error in
            XCTAssertEqual((error as? ParameterError)?.parameter, parameter, "\(error)", file: file, line: line)
        }
    }

    func testEveryValueTravelsAsAParameter() throws {
        let hostile = "ZTF18'; DROP TABLE candidate; --"
        let query = try parse([("objectId", hostile), ("rb__gte", "0.5"), ("cone", "10,20,0.5")])
        XCTAssertFalse(query.conditions.map(\.text).joined().contains("DROP"))
        // objectId takes a list: the name travels inside a bound text[] literal.
        let bound = String(decoding: query.conditions.first?.parameters.first?.bytes ?? [], as: UTF8.self)
        XCTAssertEqual(bound, "{\"\(hostile)\"}")
        XCTAssertEqual(query.conditions.count, 3)
    }

    func testEmptyValuesAreIgnoredAndUnknownNamesRejected() throws {
        XCTAssertTrue(try parse([("rb__gte", ""), ("objectId", "")]).conditions.isEmpty)
        assertRejected([("rb__gt3", "1")], parameter: "rb__gt3")
        assertRejected([("id__gt", "1")], parameter: "id__gt")   // bookkeeping columns get no filter
    }

    func testBadValuesNameTheirParameter() {
        assertRejected([("rb__gte", "abc")], parameter: "rb__gte")
        assertRejected([("rb__gte", "nan")], parameter: "rb__gte")
        assertRejected([("magpsf__lte", "inf")], parameter: "magpsf__lte")
        assertRejected([("cone", "1,2")], parameter: "cone")
        assertRejected([("cone", "1,95,1")], parameter: "cone")
        assertRejected([("cone", "1,2,0")], parameter: "cone")
        assertRejected([("filter", "z")], parameter: "filter")
        assertRejected([("candid", "1.5")], parameter: "candid")
        assertRejected([("time__gt", "yesterday")], parameter: "time__gt")
        assertRejected([("time__gt", "2018-02-30")], parameter: "time__gt")
        assertRejected([("time__since", "-5")], parameter: "time__since")
        assertRejected([("page", "0")], parameter: "page")
        assertRejected([("page", "1001")], parameter: "page")
        assertRejected([("sort_value", "objectId")], parameter: "sort_value")
        assertRejected([("sort_order", "up")], parameter: "sort_order")
        assertRejected([("page", "2"), ("cursor", Cursor(sortColumn: "jd", ascending: false, value: "1", id: 1).token)], parameter: "cursor")
        assertRejected([("cursor", "garbage")], parameter: "cursor")
    }

    func testCursorMustMatchTheSortOrder() throws {
        let token = Cursor(sortColumn: "magpsf", ascending: true, value: "18.5", id: 42).token
        XCTAssertEqual(try parse([("cursor", token), ("sort_value", "magpsf"), ("sort_order", "asc")]).cursor?.id, 42)
        assertRejected([("cursor", token)], parameter: "cursor")
        XCTAssertEqual(Cursor(token: token), Cursor(sortColumn: "magpsf", ascending: true, value: "18.5", id: 42))
        XCTAssertEqual(Cursor(token: Cursor(sortColumn: "rb", ascending: false, value: nil, id: 7).token)?.value, nil)
    }

    func testNumbersAreComparedInTheColumnsOwnType() {
        // A stored real 19.1 must satisfy magpsf <= 19.1: compare as real, not widened to double.
        func type(_ number: Double, _ column: PostgresType) -> PostgresType {
            ConditionBuilder.literal(number, forColumnOf: column).postgresParameter.type
        }
        XCTAssertEqual(type(19.1, .float4), .float4)
        XCTAssertEqual(ConditionBuilder.literal(19.1, forColumnOf: .float4) as? Float, Float("19.1"))
        XCTAssertEqual(type(1e300, .float4), .float8)
        XCTAssertEqual(type(1e-300, .float4), .float8)
        XCTAssertEqual(ConditionBuilder.literal(2, forColumnOf: .int4) as? Int64, 2)
        XCTAssertEqual(type(2.5, .int4), .float8)
        XCTAssertEqual(type(1e19, .int8), .float8)
    }

    func testTimesAreUTCJulianDates() throws {
        XCTAssertEqual(try ValueParsing.time("2000-01-01T12:00:00", "t"), 2_451_545.0, accuracy: 1e-9)
        XCTAssertEqual(try ValueParsing.time("2000-01-01T12:00:00Z", "t"), 2_451_545.0, accuracy: 1e-9)
        XCTAssertEqual(try ValueParsing.time("2000-01-01", "t"), 2_451_544.5, accuracy: 1e-9)
        XCTAssertEqual(try ValueParsing.time("2000-01-01T14:30:00+02:30", "t"), 2_451_545.0, accuracy: 1e-9)
        XCTAssertEqual(try ValueParsing.time("2000-01-01T14:30:00 02:30", "t"), 2_451_545.0, accuracy: 1e-9)
        XCTAssertEqual(try ValueParsing.time("2018-06-01T04:05:06.5", "t"), JulianDate.from(unixSeconds: 1_527_825_906.5), accuracy: 1e-9)
        XCTAssertEqual(JulianDate.isoTime(2_451_545.0), "2000-01-01T12:00:00.000Z")
        XCTAssertEqual(JulianDate.isoTime(JulianDate.from(unixSeconds: 1_527_825_906.5)), "2018-06-01T04:05:06.500Z")
    }

    func testTimeSinceCountsBackFromNow() throws {
        let query = try parse([("time__since", "86400")])
        let bound = try XCTUnwrap(query.conditions.first?.parameters.first)
        XCTAssertEqual(bound.type, .float8)
        let bits = bound.bytes!.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        XCTAssertEqual(Double(bitPattern: bits), 2_459_999.5, accuracy: 1e-9)
    }
}
