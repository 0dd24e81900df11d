@testable import Store
import XCTest

final class ExpressionParserTests: XCTestCase {
    func parse(_ text: String, maxDepth: Int = 32) throws -> ExpressionNode {
        try ExpressionParser.parse(text, maxDepth: maxDepth)
    }

    /// The tree as a fully parenthesised string, to compare shapes briefly.
    func shape(_ text: String) throws -> String { Self.render(try parse(text)) }

    static func render(_ node: ExpressionNode) -> String {
        switch node.kind {
        case .number(_, let text): return text
        case .string(let text): return "'\(text)'"
        case .time(let jd): return "t\(jd)"
        case .name(let name): return name
        case .call(let name, let arguments): return "\(name)(\(arguments.map(render).joined(separator: ", ")))"
        case .negate(let operand): return "(-\(render(operand)))"
        case .arithmetic(let op, let left, let right): return "(\(render(left)) \(op.rawValue) \(render(right)))"
        case .comparison(let op, let left, let right): return "(\(render(left)) \(op.rawValue) \(render(right)))"
        case .between(let value, let low, let high, let negated):
            return "(\(render(value)) \(negated ? "NOT " : "")BETWEEN \(render(low)) AND \(render(high)))"
        case .oneOf(let value, let items, let negated):
            return "(\(render(value)) \(negated ? "NOT " : "")IN [\(items.map(render).joined(separator: ", "))])"
        case .like(let value, let pattern, let negated): return "(\(render(value)) \(negated ? "NOT " : "")LIKE \(render(pattern)))"
        case .isNull(let value, let negated): return "(\(render(value)) IS \(negated ? "NOT " : "")NULL)"
        case .not(let operand): return "(NOT \(render(operand)))"
        case .and(let operands): return "{" + operands.map(render).joined(separator: " AND ") + "}"
        case .or(let operands): return "{" + operands.map(render).joined(separator: " OR ") + "}"
        }
    }

    func assertError(_ text: String, at position: Int, _ message: String, maxDepth: Int = 32,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text, maxDepth: maxDepth), file: file, line: line) { error in
            XCTAssertEqual(error as? ExpressionError, ExpressionError(at: position, message), file: file, line: line)
        }
    }

    func testPrecedence() throws {
        XCTAssertEqual(try shape("a < 1 OR b < 2 AND NOT c < 3"), "{(a < 1) OR {(b < 2) AND (NOT (c < 3))}}")
        XCTAssertEqual(try shape("(a < 1 OR b < 2) AND c < 3"), "{{(a < 1) OR (b < 2)} AND (c < 3)}")
        XCTAssertEqual(try shape("a + b * c - d / e >= -f"), "(((a + (b * c)) - (d / e)) >= (-f))")
        XCTAssertEqual(try shape("a - b - c = 1"), "(((a - b) - c) = 1)")
        XCTAssertEqual(try shape("-19.5 < magpsf"), "(-19.5 < magpsf)", "a negative number is one literal")
        XCTAssertEqual(try shape("--1 = +a"), "(--1 = a)")
        XCTAssertEqual(try shape("a < 1 AND b < 2 AND c < 3 OR d < 4 OR e < 5"), "{{(a < 1) AND (b < 2) AND (c < 3)} OR (d < 4) OR (e < 5)}")
    }

    func testPredicates() throws {
        XCTAssertEqual(try shape("x BETWEEN 1 AND 2 AND y < 3"), "{(x BETWEEN 1 AND 2) AND (y < 3)}")
        XCTAssertEqual(try shape("x not between a+1 and 2*b"), "(x NOT BETWEEN (a + 1) AND (2 * b))")
        XCTAssertEqual(try shape("filter IN ('g', 'r')"), "(filter IN ['g', 'r'])")
        XCTAssertEqual(try shape("fid NOT IN (1)"), "(fid NOT IN [1])")
        XCTAssertEqual(try shape("objectId like 'ZTF18%'"), "(objectId LIKE 'ZTF18%')")
        XCTAssertEqual(try shape("objectId NOT LIKE 'ZTF18%'"), "(objectId NOT LIKE 'ZTF18%')")
        XCTAssertEqual(try shape("distnr IS NULL OR distnr is not null"), "{(distnr IS NULL) OR (distnr IS NOT NULL)}")
        XCTAssertEqual(try shape("Cone(1, -2, 0.5) AND sqrt(abs(x - 1)) > 2"), "{Cone(1, -2, 0.5) AND (sqrt(abs((x - 1))) > 2)}")
        XCTAssertEqual(try shape("wall_time >= 2018-06-01"), "(wall_time >= t2458270.5)")
        XCTAssertEqual(try shape("f()"), "f()")
    }

    func testMistakesNameTheirCharacter() {
        assertError("magpsf >= ", at: 11, "expected a value after '>='")
        assertError("magpsf > 18 AND rb >=", at: 22, "expected a value after '>='")
        assertError("magpsf >= AND rb > 1", at: 11, "expected a value after '>=', not 'AND'")
        assertError("", at: 1, "the expression is empty; write a condition such as magpsf < 19")
        assertError("   ", at: 1, "the expression is empty; write a condition such as magpsf < 19")
        assertError("> 5", at: 1, "expected a condition such as magpsf < 19, not '>'")
        assertError("a < 1 AND", at: 10, "expected a value after 'AND'")
        assertError("a < 1 b < 2", at: 7, "expected AND, OR or the end of the expression, not 'b'")
        assertError("a < b < c", at: 7, "expected AND, OR or the end of the expression, not '<'")
        assertError("(a < 1", at: 7, "expected ')' to close the '(' at character 1, not the end")
        assertError("a < 1)", at: 6, "expected AND, OR or the end of the expression, not ')'")
        assertError("x BETWEEN 1 OR 2", at: 13, "expected AND in BETWEEN ... AND ..., not 'OR'")
        assertError("x IN 1, 2", at: 6, "expected '(' after IN, as in filter IN ('g', 'r')")
        assertError("x IN ()", at: 7, "expected a value after '(', not ')'")
        assertError("x IN (1,)", at: 9, "expected a value after ',', not ')'")
        assertError("x IS 5", at: 6, "expected NULL after 'IS', not '5'")
        assertError("x IS NOT 5", at: 10, "expected NULL after 'IS NOT', not '5'")
        assertError("x NOT < 5", at: 7, "expected BETWEEN, IN or LIKE after NOT, not '<'")
        assertError("and < 5", at: 1, "expected a condition such as magpsf < 19, not 'and'")
        assertError("sqrt(1,", at: 8, "expected a value after ','")
    }

    func testNestingIsBoundedBeforeRecursing() throws {
        XCTAssertNoThrow(try parse(String(repeating: "(", count: 31) + "a < 1" + String(repeating: ")", count: 31)))
        assertError(String(repeating: "(", count: 33) + "a < 1" + String(repeating: ")", count: 33), at: 33,
                    "the expression nests more than 32 levels deep (parentheses, NOT, signs, functions and chains of operators)")
        // Far deeper than any stack would take, refused at the limit without recursing further.
        XCTAssertThrowsError(try parse(String(repeating: "(", count: 100_000)))
        XCTAssertThrowsError(try parse(String(repeating: "NOT ", count: 100_000) + "a < 1"))
        XCTAssertThrowsError(try parse(String(repeating: "-", count: 100_000) + "a < 1"))
        XCTAssertThrowsError(try parse(String(repeating: "abs(", count: 100_000)))
        // A long chain of operators is deep too; AND and OR lists are not, however long.
        XCTAssertThrowsError(try parse("a" + String(repeating: " + a", count: 40) + " > 1"))
        XCTAssertNoThrow(try parse(Array(repeating: "a < 1", count: 200).joined(separator: " AND ")))
        XCTAssertEqual(try parse("a < 1 AND b < 2").depth, 3)
    }
}
