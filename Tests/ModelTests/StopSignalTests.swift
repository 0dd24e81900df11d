import Foundation
import Model
import XCTest

final class StopSignalTests: XCTestCase {
    func testAWaitEndsTheMomentTheSignalIsSet() {
        let stop = StopSignal()
        XCTAssertFalse(stop.wait(seconds: 0.05), "not set: the wait runs its course")
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { stop.stop() }
        let start = Date()
        XCTAssertTrue(stop.wait(seconds: 30))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertTrue(stop.isSet)
        stop.stop()   // again: nothing happens
        XCTAssertTrue(stop.wait(seconds: 30), "once set, every wait returns at once")
    }

    func testBackoffDoublesUpToItsCeilingAndGivesUpWhenStopped() {
        var backoff = Backoff(first: 0.01, maximum: 0.04)
        let stop = StopSignal()
        XCTAssertTrue(backoff.wait(unless: stop))
        XCTAssertTrue(backoff.wait(unless: stop))
        XCTAssertEqual(backoff.delay, 0.04)
        XCTAssertTrue(backoff.wait(unless: stop))
        XCTAssertEqual(backoff.delay, 0.04, "no further than the ceiling")
        backoff.reset()
        XCTAssertEqual(backoff.delay, 0.01)

        var long = Backoff(first: 30, maximum: 30)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { stop.stop() }
        let start = Date()
        XCTAssertFalse(long.wait(unless: stop), "stopped: give up instead of trying again")
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }
}
