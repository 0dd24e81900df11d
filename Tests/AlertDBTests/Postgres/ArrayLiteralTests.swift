import Postgres
import XCTest

/// Object ids come from packets, so the array literals built from them must survive anything.
final class ArrayLiteralTests: XCTestCase {
    func testAnyStringsRoundTripThroughATextArrayParameter() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        let strings = ["ZTF18abcdefg", "", "NULL", "a,b", "{x}", "quote\"d", "back\\slash", " spaced ", "ünïcødé", "'; DROP TABLE candidate; --"]
        let result = try db.connection.execute("SELECT unnest($1::text[])", [Connection.arrayLiteral(strings)])
        XCTAssertEqual(result.rows.map { $0[0] }, strings)
    }
}
