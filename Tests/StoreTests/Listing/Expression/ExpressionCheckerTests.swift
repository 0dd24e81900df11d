import Postgres
@testable import Store
import XCTest

/// The checker against an alert's catalogue: names, kinds, and what an expression costs.
final class ExpressionCheckerTests: XCTestCase {
    static let schema = StoreSchema(columns: [
        ("id", .int8), ("candid", .int8), ("objectId", .text), ("jd", .float8), ("fid", .int4), ("ra", .float8),
        ("dec", .float8), ("magpsf", .float4), ("magap", .float4), ("distnr", .float4), ("rb", .float4),
        ("nbad", .int4), ("isdiffpos", .text), ("ssdistnr", .float4), ("extra", .jsonb),
    ])

    func check(_ text: String, maxTerms: Int = 40, maxCones: Int = 2) throws -> (CheckedCondition, ExpressionChecker) {
        var checker = ExpressionChecker(catalogue: Self.schema.expressions.catalogue, maxTerms: maxTerms, maxCones: maxCones,
                                        maxCompiledSize: 4_000)
        let condition = try checker.condition(try ExpressionParser.parse(text, maxDepth: 32))
        return (condition, checker)
    }

    func assertError(_ text: String, at position: Int, _ message: String, maxTerms: Int = 40, maxCones: Int = 2,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try check(text, maxTerms: maxTerms, maxCones: maxCones), file: file, line: line) { error in
            XCTAssertEqual(error as? ExpressionError, ExpressionError(at: position, message), file: file, line: line)
        }
    }

    func testTheCatalogueHoldsWhatTheAPIShows() {
        let names = Set(Self.schema.expressions.catalogue.columns.map(\.name))
        XCTAssertEqual(names, ["candid", "objectId", "jd", "fid", "ra", "dec", "magpsf", "magap", "distnr", "rb", "nbad",
                               "isdiffpos", "ssdistnr", "wall_time", "filter"])
        XCTAssertFalse(names.contains("id"), "bookkeeping")
        XCTAssertFalse(names.contains("extra"), "not a value the language knows")
    }

    func testUnknownNamesSuggestTheClosest() {
        assertError("magpfs < 19", at: 1, "unknown column 'magpfs'; did you mean magpsf?")
        assertError("rb > 0.5 AND magap < 1 AND distnrr < 1", at: 28, "unknown column 'distnrr'; did you mean distnr?")
        assertError("zzzzzz < 1", at: 1, "unknown column 'zzzzzz'; see /help/#fields for the fields")
        assertError("sqrt(x) < 1", at: 6, "unknown column 'x'; see /help/#fields for the fields")
        assertError("foo(magpsf) < 1", at: 1, "unknown function 'foo'; the functions are abs, sqrt, log10 and cone")
        XCTAssertNoThrow(try check("OBJECTID = 'a' AND MagPsf < 1 AND SQRT(rb) > 0 AND Cone(1, 2, 3)"), "names in any case")
    }

    func testKindsMustGoTogether() {
        assertError("objectId > 5", at: 10, "cannot compare objectId (text) with 5 (a number)")
        assertError("magpsf = 'abc'", at: 8, "cannot compare magpsf (a number) with 'abc' (text)")
        assertError("magpsf LIKE '1%'", at: 8, "LIKE matches text, and magpsf is a number")
        assertError("objectId LIKE isdiffpos", at: 15, "LIKE takes a quoted pattern such as 'ZTF18%'")
        assertError("objectId LIKE 'a\\'", at: 15, "a LIKE pattern cannot end with \\ (which escapes the next character: \\% is a percent sign)")
        assertError("objectId + 1 > 2", at: 1, "'+' needs numbers, and objectId is text")
        assertError("-isdiffpos < 1", at: 2, "'-' needs numbers, and isdiffpos is text")
        assertError("sqrt(objectId) > 1", at: 6, "sqrt needs numbers, and objectId is text")
        assertError("sqrt(1, 2) > 1", at: 1, "sqrt takes one number, not 2")
        assertError("magpsf", at: 1, "magpsf is a number, not a condition; compare it with something, as in magpsf < 19")
        assertError("magpsf + 1", at: 8, "the expression at character 8 is a number, not a condition; compare it with something, as in magpsf < 19")
        assertError("(magpsf < 1) + 1 > 0", at: 9, "expected a value here, not a condition")
        assertError("NOT magpsf", at: 5, "magpsf is a number, not a condition; compare it with something, as in magpsf < 19")
        assertError("cone(1, 2, 3) = 1", at: 1, "cone(...) is a condition, not a value")
        assertError("wall_time > 5", at: 11, "cannot compare wall_time (a time) with 5 (a number)")
        assertError("wall_time > 'yesterday'", at: 13, "'yesterday' is not an ISO date or date-time such as 2018-06-01 or 2018-06-01T04:05:06Z")
        assertError("jd > 2018-06-01", at: 4, "cannot compare jd (a number) with the time (a time)")
        assertError("filter = 'z'", at: 10, "'z' is not a ZTF filter: g, r or i")
        assertError("filter < 'r'", at: 8, "a filter is compared with = or != (or IN), not '<'")
        assertError("filter = 1", at: 8, "cannot compare filter (a filter (g, r or i)) with 1 (a number)")
        assertError("filter IN ('g', 'x')", at: 17, "'x' is not a ZTF filter: g, r or i")
        assertError("magpsf IN (1, 'a')", at: 15, "cannot compare magpsf (a number) with 'a' (text)")
        assertError("magpsf = NULL", at: 10, "expected a value after '=', not 'NULL'")
    }

    func testStringsTakeTheKindOfWhatTheyAreComparedWith() throws {
        guard case .comparison(.greater, _, .time(let jd)) = try check("wall_time > '2000-01-01T12:00:00Z'").0 else { return XCTFail() }
        XCTAssertEqual(jd, 2_451_545.0)
        guard case .comparison(.equal, .band(let fid), _) = try check("'r' = filter").0 else { return XCTFail() }
        XCTAssertEqual(fid, 2)
        guard case .oneOf(_, let items) = try check("filter IN ('g', 'i')").0 else { return XCTFail() }
        XCTAssertEqual(items.count, 2)
        XCTAssertNoThrow(try check("wall_time BETWEEN 2018-06-01 AND '2018-07-01'"))
    }

    func testConeIsCheckedAsTheConeParameter() throws {
        guard case .cone(let ra, let dec, let radius) = try check("cone(-10, -20.5, 0.5)").0 else { return XCTFail() }
        XCTAssertEqual([ra, dec, radius], [350, -20.5, 0.5])
        assertError("cone(1, 2)", at: 1, "cone takes three numbers, cone(ra, dec, radius) in degrees, not 2")
        assertError("cone(1, ra, 3)", at: 9, "cone's arguments are numbers: cone(ra, dec, radius) in degrees")
        assertError("cone(1, 95, 3)", at: 9, "cone: dec must be between -90 and 90")
        assertError("cone(1, 2, 11)", at: 12, "cone: radius must be from 1e-9 to 10 degrees")
        assertError("cone(1, 2, 0)", at: 12, "cone: radius must be from 1e-9 to 10 degrees")
    }

    func testTermsAndConesAreCounted() throws {
        let (_, checker) = try check("magpsf < 19 AND (sqrt(rb) > 0.5 OR distnr IS NULL) AND filter IN ('g', 'r') AND NOT cone(1, 2, 3)")
        XCTAssertEqual(checker.terms, 6)   // <, sqrt, >, IS NULL, IN, cone
        XCTAssertEqual(checker.cones, 1)
        let forty = Array(repeating: "rb > 0", count: 40).joined(separator: " OR ")
        XCTAssertNoThrow(try check(forty))
        assertError(forty + " OR rb > 1", at: 404, "more than 40 terms (comparisons and function calls)")
        assertError("rb > 0 OR rb > 1", at: 14, "more than 1 terms (comparisons and function calls)", maxTerms: 1)
        assertError("cone(1, 2, 3) OR cone(1, 2, 3) OR cone(1, 2, 3)", at: 35, "at most 2 cone() calls here: each costs milliseconds of planning")
        assertError("cone(1, 2, 3)", at: 1, "at most 0 cone() calls here: each costs milliseconds of planning", maxCones: 0)
    }

    func testNestedSqrtCannotBlowUpTheCompiledSQL() {
        let nested = String(repeating: "sqrt(", count: 20) + "rb" + String(repeating: ")", count: 20) + " > 0"
        XCTAssertThrowsError(try check(nested)) { error in
            XCTAssertTrue((error as? ExpressionError)?.message.contains("too large once compiled") == true, "\(error)")
        }
        XCTAssertNoThrow(try check("sqrt(sqrt(sqrt(rb))) > 0"))
    }
}
