import Foundation
import Postgres
@testable import Store
import TestSupport
import XCTest

/// `DoubleText` against `printf("%.15g")`, on PostgreSQL's own text of each double: random bit
/// patterns, values of 16 and 17 digits at the scales of jd, ra and small figures, values
/// whose dropped digits lie at or next to one half (where the shortest text alone cannot say
/// which way to round), and roundings that carry into a new digit or across the magnitudes
/// where `%.15g` switches to an exponent.
final class DoubleTextTests: XCTestCase {
    var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    func testRoundsPostgreSQLsTextAsPrintfRoundsTheValue() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = []
        for _ in 0..<4000 {
            let bits = UInt64.random(in: 0...UInt64.max, using: &generator)
            let value = Double(bitPattern: bits)
            if value.isFinite { values.append(value) }
        }
        for scale in [2_460_339.5, 359.9, 1.0, 1e-5, 1e14, 9.999e14] {
            for _ in 0..<1000 { values.append(scale * Double.random(in: 0.5...1.5, using: &generator)) }
        }
        // Halves in the 16th digit, and the doubles on either side of each.
        for _ in 0..<2000 {
            let kept = Int64.random(in: 100_000_000_000_000...999_999_999_999_999, using: &generator)
            let power = Int.random(in: -25...10, using: &generator)
            let half = strtod("\(kept)5e\(power)", nil)
            values += [half, half.nextUp, half.nextDown, half.nextUp.nextUp, half.nextDown.nextDown]
        }
        values += [9.999999999999999, 99999.99999999999, 999999999999999.9, 0.00009999999999999999,
                   1e15, 1e-4, 0.0001000000000000001, 2460339.5000000005, 0, -0.0, .leastNonzeroMagnitude, .leastNormalMagnitude, 1.7976931348623157e308,
                   -2460339.6123456789, 0.30000000000000004]
        values += values.map { -$0 }

        for chunk in stride(from: 0, to: values.count, by: 5000) {
            let part = Array(values[chunk..<min(chunk + 5000, values.count)])
            let result = try db.connection.execute("SELECT v, v::text FROM unnest(\(part)::float8[]) WITH ORDINALITY AS u (v, n) ORDER BY n")
            XCTAssertEqual(result.rowCount, part.count)
            for (row, value) in part.enumerated() {
                XCTAssertEqual(try result.decode(row, 0, as: Double.self).bitPattern, value.bitPattern, "sent exactly")
                var rounded: [UInt8] = []
                let printed = try result.decode(row, 1, as: String.self)
                Array(printed.utf8).withUnsafeBytes { DoubleText.appendRounded($0, to: &rounded) }
                XCTAssertEqual(String(decoding: rounded, as: UTF8.self), String(format: "%.15g", value), "PostgreSQL printed \(printed)")
            }
        }
    }
}
