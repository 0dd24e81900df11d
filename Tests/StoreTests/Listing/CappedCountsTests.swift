import Postgres
@testable import Store
import XCTest

final class CappedCountsTests: XCTestCase {
    func testRemembersBroadFiltersUntilTheyExpire() throws {
        let counts = CappedCounts(capacity: 2, lifetime: .milliseconds(200))
        let key: SQL = "c.rb >= \(Float(0.8))"
        XCTAssertNil(counts.estimate(key))
        counts.record(key, estimate: 111_424)
        XCTAssertEqual(counts.estimate(key), 111_424)
        XCTAssertNil(counts.estimate("c.rb >= \(Float(0.9))"), "another value is another filter")
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertNil(counts.estimate(key))
    }

    func testCapacityBoundsTheMemoryAndZeroTurnsItOff() {
        let counts = CappedCounts(capacity: 2)
        for i in 0..<3 { counts.record("k = \(i)", estimate: i) }
        XCTAssertEqual(counts.estimate("k = \(2)"), 2)
        let off = CappedCounts(capacity: 0)
        off.record("k", estimate: 1)
        XCTAssertNil(off.estimate("k"))
    }
}
