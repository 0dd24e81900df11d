import Foundation
import Postgres
@testable import Store
import TestSupport
import XCTest

/// The listing's JSON fields as PostgreSQL prints them (`CandidateJSON`), on values the shared
/// packets hold few or none of: exponents, whole reals, NaN, infinities, long doubles, text
/// that needs escaping.
final class CandidateJSONTests: XCTestCase {
    var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    func testValuesAreJSONAsTheAlertsOwnPageWritesThem() throws {
        let jd = 2460339.5
        try db.connection.execute("SELECT ensure_partitions('candidate', ARRAY[\(jd)])")
        try db.connection.execute(#"""
            INSERT INTO candidate (id, candid, "objectId", jd, fid, magpsf, sigmapsf, distnr, rb, drb, sgscore1,
                                   ra, dec, l, b, isdiffpos, ssnamenr, nid)
            VALUES (7, 123456789012345678, 'ZTF24aaaaaaa', \#(jd), 1, 1e7, 1.5e-5, 18, 'NaN', '-Infinity', 'Infinity',
                    150.123456789012345, -0.5, 1e-300, 'NaN', 't', 'say "hi" \ é' || chr(10), NULL)
            """#)
        let schema = try StoreSchema.read(from: db.connection)
        let names = schema.candidateJSON.names
        let keys = names.map { Array("\"\($0)\":".utf8) }
        let alerts = try schema.candidateJSON.alerts(ids: [7, 8], keys: keys, db: db.connection)
        XCTAssertEqual(Array(alerts.keys), [7], "an id with no alert is left out")
        let alert = try XCTUnwrap(alerts[7])
        XCTAssertEqual(alert.objectId, "ZTF24aaaaaaa")
        XCTAssertEqual(alert.jd, jd)
        XCTAssertEqual(alert.fid, 1)

        let text = "{" + String(decoding: alert.members, as: UTF8.self) + "}"
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
        XCTAssertEqual(Set(object.keys), Set(names))
        XCTAssertFalse(names.contains("objectId"), "bookkeeping columns are not fields")
        XCTAssertEqual(object["candid"] as? Int64, 123456789012345678, "integers exactly")
        XCTAssertEqual(object["magpsf"] as? Double, 1e7)
        XCTAssertEqual(object["sigmapsf"] as? Double, 1.5e-5)
        XCTAssertEqual(object["l"] as? Double, 1e-300)
        XCTAssertEqual(object["ra"] as? Double, 150.123456789012, "15 significant digits, as the server prints doubles")
        XCTAssertEqual(object["ssnamenr"] as? String, "say \"hi\" \\ é\n")
        XCTAssertEqual(object["isdiffpos"] as? String, "t")
        for missing in ["rb", "drb", "sgscore1", "b", "nid", "chipsf"] {
            XCTAssertTrue(object[missing] is NSNull, "\(missing) is null, not \(object[missing] ?? "absent")")
        }
        // Reals stay reals for readers that keep JSON's integers apart (Python's json, Jansson).
        XCTAssertTrue(text.contains(#""distnr":18.0,"#), text)
        XCTAssertTrue(text.contains(#""dec":-0.5,"#), text)
        XCTAssertFalse(text.contains("NaN") || text.contains("Infinity"), text)
    }
}
