import Postgres
import TestSupport
import XCTest

/// `SQL` binds every interpolated value as a parameter, and results are read by column name
/// into typed values, with errors rather than crashes; all against a real PostgreSQL.
final class SQLTests: XCTestCase {
    var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    func testAHostileValueReachesPostgreSQLAsABoundParameter() throws {
        let hostile = "x'); DROP TABLE candidate; SELECT ('"
        let statement: SQL = "SELECT \(hostile) AS value, count(*) AS alerts FROM candidate"
        XCTAssertEqual(statement.text, "SELECT $1 AS value, count(*) AS alerts FROM candidate")
        XCTAssertEqual(statement.parameters.map(\.bytes), [Array(hostile.utf8)])
        let row = try db.connection.execute(statement)[0]
        XCTAssertEqual(try row.decode("value", as: String.self), hostile)
        XCTAssertEqual(try row.decode("alerts", as: Int.self), 0, "candidate is still there")
        // The same value as a table name is a quoted identifier: a table of that odd name, not a statement.
        XCTAssertThrowsError(try db.connection.execute("SELECT * FROM \(SQL.identifier(hostile))")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, SQLState("42P01"), "undefined table: \(error)")
        }
        XCTAssertEqual(try db.count("candidate"), 0)
    }

    func testFragmentsKeepTheirParametersInOrder() throws {
        let conditions: [SQL] = ["\(Int64(1)) < \(Int64(2))", "\("a") <> \("b")", "\(2.5) > \(Float(1.5))"]
        let statement: SQL = "SELECT \(SQL.joined(conditions, separator: " AND ")) AS holds, \(Int64(7)) AS seven"
        XCTAssertEqual(statement.text, "SELECT $1 < $2 AND $3 <> $4 AND $5 > $6 AS holds, $7 AS seven")
        let row = try db.connection.execute(statement)[0]
        XCTAssertTrue(try row.decode("holds", as: Bool.self))
        XCTAssertEqual(try row.decode("seven", as: Int64.self), 7)
        XCTAssertEqual(SQL.identifier("ob\"ject").text, "\"ob\"\"ject\"")
    }

    func testValuesRoundTripInTheirOwnTypes() throws {
        let strings = ["ZTF18abcdefg", "", "NULL", "a,b", "{x}", "quote\"d", "back\\slash", " spaced ", "ünïcødé", "'; DROP TABLE candidate; --"]
        let unnested = try db.connection.execute("SELECT unnest(\(strings)) AS s").rows.map { try $0.decode("s", as: String.self) }
        XCTAssertEqual(unnested, strings)
        let numbers: [Int64] = [Int64.min, -1, 0, 1 << 53 + 1, Int64.max]
        XCTAssertEqual(try db.connection.execute("SELECT unnest(\(numbers)) AS n").rows.map { try $0.decode("n", as: Int64.self) }, numbers)
        // Doubles keep every bit through the array literal; a missing one is NULL.
        let jds: [Double?] = [2458423.5, 2458438.7092014, .pi, -0.0, nil, .infinity, -.infinity, .nan, .leastNonzeroMagnitude]
        let read = try db.connection.execute("SELECT unnest(\(jds)) AS d", resultFormat: .binary).rows.map { try $0.decode("d", as: Double?.self) }
        XCTAssertEqual(read.map { $0.map { $0.isNaN ? 0 : $0.bitPattern } }, jds.map { $0.map { $0.isNaN ? 0 : $0.bitPattern } })
        XCTAssertTrue(read[7]?.isNaN == true)
        let tiny = try db.connection.execute("SELECT \(Double.leastNonzeroMagnitude) AS d, \(-Double.leastNormalMagnitude / 4) AS e", resultFormat: .text)[0]
        XCTAssertEqual(try tiny.decode("d", as: Double.self), .leastNonzeroMagnitude, "a subnormal in text form, which strtod calls an underflow")
        XCTAssertEqual(try tiny.decode("e", as: Double.self), -Double.leastNormalMagnitude / 4)

        let bytes: [UInt8] = [0, 1, 0xFF, 0x5C, 0x78]
        let row = try db.connection.execute("""
            SELECT \(Int16(-3)) AS i2, \(Int32(1 << 30)) AS i4, \(Float(19.1)) AS f4, \(Double.pi) AS f8,
                   \(Double.infinity) AS inf, \(Double.nan) AS nan, 12.5::numeric AS num, \(true) AS yes,
                   \(ByteA(bytes)) AS raw, \(String?.none) AS missing, pg_typeof(\(Float(1))) AS f4type
            """, resultFormat: .text)[0]
        XCTAssertEqual(try row.decode("i2", as: Int.self), -3)
        XCTAssertEqual(try row.decode("i4", as: Int32.self), 1 << 30)
        XCTAssertEqual(try row.decode("f4", as: Double.self), 19.1, "a real in text form reads as the decimal PostgreSQL prints")
        XCTAssertEqual(try row.decode("f8", as: Double.self), Double.pi)
        XCTAssertEqual(try row.decode("inf", as: Double.self), .infinity)
        XCTAssertTrue(try row.decode("nan", as: Double.self).isNaN)
        XCTAssertEqual(try row.decode("num", as: Double.self), 12.5)
        XCTAssertTrue(try row.decode("yes", as: Bool.self))
        XCTAssertEqual(try row.decode("raw", as: String.self), "\\x0001ff5c78", "bytea as PostgreSQL prints it")
        XCTAssertNil(try row.decode("missing", as: String?.self))
        XCTAssertEqual(try row.decode("f4type", as: String.self), "real")

        let binary = try db.connection.execute("SELECT \(ByteA(bytes)) AS raw, \(Double.pi) AS f8, \(Float(0.5)) AS f4, 'é'::text AS t",
                                               resultFormat: .binary)[0]
        XCTAssertEqual(try binary.decode("raw", as: [UInt8].self), bytes)
        XCTAssertEqual(try binary.decode("f8", as: Double.self), Double.pi)
        XCTAssertEqual(try binary.decode("f4", as: Double.self), 0.5)
        XCTAssertEqual(try db.connection.execute("SELECT \(Float(19.1)) AS f4", resultFormat: .binary)[0].decode("f4", as: Double.self),
                       Double(Float(19.1)), "in binary form, as the float it is")
        XCTAssertEqual(try binary.decode("t", as: String.self), "é")
    }

    func testAMissingNullOrMistypedColumnIsAnErrorNotACrash() throws {
        let row = try db.connection.execute("SELECT 1 AS one, NULL::integer AS nothing, 'x'::text AS letter, 2.5::real AS half")[0]
        func assertFails<T: PostgresDecodable>(_ column: String, _ type: T.Type, _ words: String) {
            XCTAssertThrowsError(try row.decode(column, as: type)) { error in
                XCTAssertTrue("\(error)".contains(words), "\(error)")
            }
        }
        assertFails("two", Int.self, "no column two")
        assertFails("nothing", Int.self, "NULL")
        assertFails("letter", Int.self, "does not convert")
        assertFails("half", Int64.self, "does not convert")
        assertFails("one", Bool.self, "does not convert")
        XCTAssertNil(try row.decode("nothing", as: Int?.self))
        XCTAssertThrowsError(try db.connection.execute("SELECT 1")[0].decode(5, as: Int.self))
    }

    func testANulByteInTextIsRefusedNotCut() throws {
        XCTAssertThrowsError(try db.connection.execute("SELECT \("ZTF18\u{0}abc") AS s")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState?.isDataException, true, "\(error)")
        }
        XCTAssertThrowsError(try db.connection.execute("SELECT \(PostgresParameter(text: "1\u{0}2", type: .int8)) AS n")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, .characterNotInRepertoire, "\(error)")
        }
    }

    func testErrorsCarryTheirNamedSQLState() throws {
        try db.connection.execute("CREATE TEMPORARY TABLE once (k integer PRIMARY KEY)")
        try db.connection.execute("INSERT INTO once VALUES (\(Int32(1)))")
        XCTAssertThrowsError(try db.connection.execute("INSERT INTO once VALUES (\(Int32(1)))")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, .uniqueViolation)
            XCTAssertEqual((error as? PostgresError)?.isConnectionFailure, false)
        }
        try db.connection.execute("SET statement_timeout = '50ms'")
        XCTAssertThrowsError(try db.connection.execute("SELECT pg_sleep(1)")) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, .queryCanceled)
        }
    }
}
