import Postgres
@testable import Store
import TestSupport
import XCTest

/// The SQL an expression compiles to: its shape, its parameters, and what it selects from rows
/// written to test missing values (NULL, NaN, ZTF's -999 and -99).
final class ExpressionCompilerTests: XCTestCase {
    let compiler = ExpressionCheckerTests.schema.expressions

    func compile(_ text: String) throws -> SQL { try compiler.compile(text).condition }

    func testEveryLiteralIsAParameterAndNoTextOfTheExpressionReachesTheSQL() throws {
        let hostile = "objectId = 'x''); DROP TABLE candidate; --' OR isdiffpos LIKE '%\"; --' OR magpsf < 1e-3"
        let sql = try compile(hostile)
        XCTAssertFalse(sql.text.contains("DROP"))
        XCTAssertFalse(sql.text.contains("--"))
        XCTAssertFalse(sql.text.contains("1e-3"))
        XCTAssertEqual(sql.parameters.count, 3)
        XCTAssertEqual(sql.parameters[0].bytes, Array("x'); DROP TABLE candidate; --".utf8))
        // Names come from the catalogue, never from the text: case is the catalogue's.
        XCTAssertEqual(try compile("OBJECTID = 'a'").text, "(c.\"objectId\" = $1)")
    }

    func testAComparisonWithAConstantUsesTheStoredColumnAndItsType() throws {
        let sql = try compile("magpsf <= 19.1")
        XCTAssertEqual(sql.text, "((c.\"magpsf\" <= $1) AND c.\"magpsf\" <> 'NaN')")
        XCTAssertEqual(sql.parameters[0].type, .float4, "a stored real 19.1 must satisfy magpsf <= 19.1")
        XCTAssertEqual(try compile("19.1 >= magpsf").text, sql.text, "mirrored")
        XCTAssertEqual(try compile("distnr > 1").text,
                       "((c.\"distnr\" > $1) AND c.\"distnr\" <> 'NaN' AND c.\"distnr\" NOT IN ($2, $3))")
        XCTAssertEqual(try compile("candid = 739260766315010006").parameters[0].type, .int8, "exact, not a double")
        XCTAssertEqual(try compile("nbad < 2.5").parameters[0].type, .float8)
        XCTAssertEqual(try compile("filter IN ('g', 'r')").text, "(c.\"fid\" IN ($1, $2))")
        XCTAssertEqual(try compile("wall_time >= 2018-06-01").text, "(c.\"jd\" >= $1)")
        XCTAssertEqual(try compile("magpsf BETWEEN 18 AND 19").text,
                       "((c.\"magpsf\" BETWEEN $1 AND $2) AND c.\"magpsf\" <> 'NaN')")
    }

    func testNotIsPushedDownToTheComparisons() throws {
        XCTAssertEqual(try compile("NOT (magpsf < 19 OR fid = 1)").text,
                       "(((c.\"magpsf\" >= $1) AND c.\"magpsf\" <> 'NaN') AND (c.\"fid\" <> $2))")
        XCTAssertEqual(try compile("NOT NOT fid = 1").text, "(c.\"fid\" = $1)")
        XCTAssertEqual(try compile("NOT fid BETWEEN 1 AND 2").text, "(c.\"fid\" NOT BETWEEN $1 AND $2)")
        XCTAssertEqual(try compile("fid NOT IN (1)").text, "(c.\"fid\" NOT IN ($1))")
        XCTAssertEqual(try compile("NOT objectId NOT LIKE 'a%'").text, "(c.\"objectId\" LIKE $1)")
        XCTAssertEqual(try compile("NOT rb IS NULL").text, "((CASE WHEN c.\"rb\" <> 'NaN' THEN c.\"rb\" END) IS NOT NULL)")
        XCTAssertEqual(try compile("NOT cone(1, 2, 3)").text, "(NOT q3c_radial_query(c.\"ra\", c.\"dec\", $1, $2, $3))")
    }

    func testValuesReadMissingAsNullAndComputeInDoublePrecision() throws {
        XCTAssertEqual(try compile("magpsf - magap < 0.5").text,
                       "((CAST((CASE WHEN c.\"magpsf\" <> 'NaN' THEN c.\"magpsf\" END) AS double precision) - "
                       + "CAST((CASE WHEN c.\"magap\" <> 'NaN' THEN c.\"magap\" END) AS double precision)) < $1)")
        let fid = "CAST(c.\"fid\" AS double precision)"
        XCTAssertEqual(try compile("nbad / fid > 1").text, "((CAST(c.\"nbad\" AS double precision) / NULLIF(\(fid), 0)) > $1)")
        XCTAssertEqual(try compile("sqrt(fid) > 1").text, "((CASE WHEN \(fid) >= 0 THEN sqrt(\(fid)) END) > $1)")
        XCTAssertEqual(try compile("-fid < 1").text, "((- \(fid)) < $1)")
    }

    func testTheLimitsOfTheListing() throws {
        let limits = ListingQuery.expressionLimits
        XCTAssertThrowsError(try compile("rb > 0 AND " + String(repeating: " ", count: limits.maxLength))) { error in
            XCTAssertEqual(error as? ExpressionError, ExpressionError(at: 2_001, "the expression is 2011 characters long; at most 2000"))
        }
        XCTAssertEqual(try compiler.compile("rb > 0 AND cone(1, 2, 3) AND sqrt(rb) < 1").terms, 4)
        XCTAssertThrowsError(try compiler.compile("rb > 0 AND rb < 1", maxTerms: 1, termNote: " beside 39 others")) { error in
            XCTAssertEqual((error as? ExpressionError)?.message, "more than 1 terms (comparisons and function calls) beside 39 others")
        }
    }

    // MARK: - On rows

    func testWhatExpressionsSelect() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        // Rows written by hand need their month partitions, which the loader makes for its own.
        try db.connection.execute("SELECT ensure_partitions('candidate', ARRAY[2458270.6, 2458300.5, 2458100.5, 2458400.5, 2458500.5])")
        try db.connection.execute("""
            INSERT INTO candidate (id, candid, "objectId", jd, fid, magpsf, magap, distnr, rb, isdiffpos, ssdistnr, ra, dec) VALUES
            (1, 1, 'ZTF18aaa',  2458270.6, 1, 19.1,  19.0, 0.5,  0.9,  't',  -999, 10,     20),
            (2, 2, 'ZTF18bbb',  2458300.5, 2, 'NaN', 18,   -999, 0.3,  'f',  3.0,  150,    2),
            (3, 3, 'ZTF17ccc',  2458100.5, 3, 17.5,  NULL, NULL, NULL, NULL, -99,  10.001, 20),
            (4, 739260766315010006, 'ZTF18a''q', 2458400.5, 1, 20, 21, 3, 0.95, 't', 10, 200, -30)
            """)
        let schema = try StoreSchema.read(from: db.connection)
        func selected(_ text: String) throws -> [Int64] {
            let condition = try schema.expressions.compile(text).condition
            return try db.connection.execute("SELECT id FROM candidate c WHERE \(condition) ORDER BY id").rows.map { try $0.decode("id") }
        }
        let cases: [(String, [Int64])] = [
            ("magpsf <= 19.1", [1, 3]),
            ("NOT magpsf <= 19.1", [4]),
            ("NOT (magpsf <= 19.1 OR distnr < 1)", [4]),
            ("NOT (distnr < 1 AND magpsf > 19)", [3, 4]),
            ("NOT NOT distnr < 1", [1]),
            ("distnr IS NULL", [2, 3]),
            ("distnr IS NOT NULL", [1, 4]),
            ("NOT distnr IS NULL", [1, 4]),
            ("ssdistnr < 5", [2]),
            ("NOT ssdistnr < 5", [4]),
            ("ssdistnr IS NULL", [1, 3]),
            ("magpsf - magap < 0.5", [1, 4]),
            ("rb / (fid - 1) > 0.1", [2]),
            ("sqrt(magpsf - 18) > 1", [1, 4]),
            ("log10(magap - 19) IS NULL", [1, 2, 3]),
            ("abs(magpsf - 18.5) < 1", [1]),
            ("-magpsf > -19", [3]),
            ("magpsf * 2 >= 38.2", [1, 4]),
            ("magpsf = magpsf", [1, 3, 4]),
            ("magpsf BETWEEN 17.5 AND 19.1", [1, 3]),
            ("magpsf NOT BETWEEN 17.5 AND 19.1", [4]),
            ("rb > 0.5 OR rb IS NULL", [1, 3, 4]),
            ("NOT (rb > 0.5)", [2]),
            ("objectId LIKE 'ZTF18%'", [1, 2, 4]),
            ("objectId NOT LIKE 'ZTF18%'", [3]),
            ("objectId = 'ZTF18a''q'", [4]),
            ("isdiffpos IN ('t', '1')", [1, 4]),
            ("isdiffpos NOT IN ('t')", [2]),
            ("filter = 'g'", [1, 4]),
            ("filter != 'g'", [2, 3]),
            ("filter IN ('r', 'i')", [2, 3]),
            ("wall_time > 2018-06-01", [1, 2, 4]),
            ("wall_time BETWEEN '2018-06-01' AND 2018-07-01", [1, 2]),
            ("NOT wall_time BETWEEN 2018-06-01 AND 2018-07-01", [3, 4]),
            ("cone(10, 20, 0.01)", [1, 3]),
            ("NOT cone(10, 20, 0.01)", [2, 4]),
            ("candid = 739260766315010006", [4]),
            ("candid = 739260766315010007", []),
            ("1 = 1 AND 'a' < 'b'", [1, 2, 3, 4]),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try selected(text), expected, text)
        }
        // Text in science terms, as the filters read it: isdiffpos "1" is "t", ssnamenr "null" is
        // none, and a ZTF object name may be written in any case.
        try db.connection.execute("""
            INSERT INTO candidate (id, candid, "objectId", jd, fid, isdiffpos, ssnamenr, ra, dec) VALUES
            (5, 5, 'ZTF19aaaaeee', 2458500.5, 2, '1', 'null', 0, 0),
            (6, 6, 'ZTF19aaaafff', 2458500.5, 2, '0', '(4979)Otawara', 0, 0)
            """)
        let later: [(String, [Int64])] = [
            ("isdiffpos = 't'", [5]), ("isdiffpos = '1'", [5]), ("isdiffpos IN ('f')", [6]), ("NOT isdiffpos = 'f'", [5]),
            ("ssnamenr IS NULL", [5]), ("ssnamenr IS NOT NULL", [6]), ("ssnamenr = 'null'", []), ("ssnamenr LIKE '(4979)%'", [6]),
            ("objectId = 'ztf19AAAAeee'", [5]), ("objectId IN ('ZTF19AAAAFFF', 'x')", [6]),
        ]
        for (text, expected) in later {
            XCTAssertEqual(try selected("jd > 2458450 AND (\(text))"), expected, text)
        }
        // Out of their domain, functions have no value rather than failing the statement.
        XCTAssertEqual(try selected("sqrt(-1) IS NULL AND log10(0) IS NULL AND 1 / 0 IS NULL"), [1, 2, 3, 4, 5, 6])
    }
}
