@testable import Store
import XCTest

final class ExpressionLexerTests: XCTestCase {
    func kinds(_ text: String) throws -> [ExpressionToken.Kind] {
        try ExpressionLexer.tokens(text).map(\.kind)
    }

    func assertError(_ text: String, at position: Int, containing words: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ExpressionLexer.tokens(text), file: file, line: line) { error in
            let error = error as? ExpressionError
            XCTAssertEqual(error?.position, position, "\(String(describing: error))", file: file, line: line)
            XCTAssertTrue(error?.message.contains(words) == true, "\(String(describing: error))", file: file, line: line)
        }
    }

    func testEveryKindOfToken() throws {
        XCTAssertEqual(try kinds("magpsf <= 19.5 AND objectId = 'ZTF18''x' OR (rb != .5e1)"), [
            .word("magpsf"), .symbol(.comparison(.lessOrEqual)), .number(19.5), .word("AND"), .word("objectId"),
            .symbol(.comparison(.equal)), .string("ZTF18'x"), .word("OR"), .symbol(.open), .word("rb"),
            .symbol(.comparison(.notEqual)), .number(5), .symbol(.close), .end,
        ])
        XCTAssertEqual(try kinds("a<>b<c>d>=e,f+g-h*i/j"), [
            .word("a"), .symbol(.comparison(.notEqual)), .word("b"), .symbol(.comparison(.less)), .word("c"),
            .symbol(.comparison(.greater)), .word("d"), .symbol(.comparison(.greaterOrEqual)), .word("e"), .symbol(.comma),
            .word("f"), .symbol(.arithmetic(.add)), .word("g"), .symbol(.arithmetic(.subtract)), .word("h"),
            .symbol(.arithmetic(.multiply)), .word("i"), .symbol(.arithmetic(.divide)), .word("j"), .end,
        ])
    }

    func testBareISOTimesAreJulianDates() throws {
        XCTAssertEqual(try kinds("wall_time > 2000-01-01T12:00:00Z"), [.word("wall_time"), .symbol(.comparison(.greater)), .time(2_451_545.0), .end])
        XCTAssertEqual(try kinds("2000-01-01"), [.time(2_451_544.5), .end])
        XCTAssertEqual(try kinds("2000-01-01t14:30:00+02:30"), [.time(2_451_545.0), .end])
        // Not a date: an ordinary subtraction of numbers.
        XCTAssertEqual(try kinds("2018-6"), [.number(2018), .symbol(.arithmetic(.subtract)), .number(6), .end])
        assertError("wall_time > 2018-02-30", at: 13, containing: "is not an ISO date")
        assertError("wall_time > 2018-06-01T25:00", at: 13, containing: "is not an ISO date")
    }

    func testMalformedInputIsPointedAt() {
        assertError("magpsf < 1e", at: 10, containing: "exponent")
        assertError("magpsf < 1e999", at: 10, containing: "too large")
        assertError("magpsf < 0x10", at: 10, containing: "'0x10' is not a number")
        assertError("magpsf < 1.5.5", at: 10, containing: "is not a number")
        assertError("objectId = 'ZTF18", at: 12, containing: "no closing quote")
        assertError("rb ; 1", at: 4, containing: "unexpected character ';'")
        assertError("rb == 1 \"x\"", at: 9, containing: "unexpected character")
        assertError("é = 1", at: 1, containing: "unexpected character")
        assertError("objectId = 'a\u{0}b'", at: 14, containing: "NUL")
    }

    func testPositionsOfTokens() throws {
        let tokens = try ExpressionLexer.tokens("ra > 1 AND\n'é' = x")
        XCTAssertEqual(tokens.map(\.position), [1, 4, 6, 8, 12, 16, 18, 19])
        XCTAssertEqual(tokens.last?.text, "the end")
    }
}
