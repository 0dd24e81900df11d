@testable import Store
import TestSupport
import Foundation
import Postgres
import Synchronization
import XCTest

final class RateLimitBucketsTests: XCTestCase {
    private var db: TestDatabase!

    override func setUpWithError() throws { db = try TestDatabase() }
    override func tearDown() { db?.drop() }

    /// Eight connections (as eight processes) take from one bucket at once: exactly the burst is
    /// allowed, never more.
    func testConcurrentTakersNeverOverspend() throws {
        let budget = Budget(burst: 30, interval: 3600)
        let allowed = Atomic(0)
        let failures = Atomic(0)
        let url = db.url
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            guard let connection = try? Connection(url) else { failures.add(1, ordering: .relaxed); return }
            for _ in 0..<10 {
                guard let state = try? RateLimitBuckets.take(client: "ip:192.0.2.1", budget: "api", budget, db: connection) else {
                    failures.add(1, ordering: .relaxed)
                    continue
                }
                if state.allowed { allowed.add(1, ordering: .relaxed) }
            }
        }
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
        XCTAssertEqual(allowed.load(ordering: .relaxed), 30)
        let refused = try RateLimitBuckets.take(client: "ip:192.0.2.1", budget: "api", budget, db: db.connection)
        XCTAssertFalse(refused.allowed)
        XCTAssertEqual(refused.retryAfter, 3600, accuracy: 5)
        XCTAssertEqual(refused.resetAfter, 30 * 3600, accuracy: 5)
        // Budgets of one client and clients of one budget are separate buckets.
        XCTAssertTrue(try RateLimitBuckets.take(client: "ip:192.0.2.1", budget: "cutout", budget, db: db.connection).allowed)
        XCTAssertTrue(try RateLimitBuckets.take(client: "ip:192.0.2.2", budget: "api", budget, db: db.connection).allowed)
    }

    func testABucketRefillsContinuouslyAndFullOnesAreDeleted() throws {
        let budget = Budget(burst: 2, interval: 0.2)
        let take = { try RateLimitBuckets.take(client: "token:x", budget: "api", budget, db: self.db.connection) }
        XCTAssertEqual(try take().remaining, 1, accuracy: 0.1)
        XCTAssertTrue(try take().allowed)
        let empty = try take()
        XCTAssertFalse(empty.allowed)
        XCTAssertGreaterThan(empty.retryAfter, 0)
        XCTAssertLessThanOrEqual(empty.retryAfter, 0.2)
        Thread.sleep(forTimeInterval: 0.25)
        XCTAssertTrue(try take().allowed)

        XCTAssertEqual(try RateLimitBuckets.deleteFull(db: db.connection), 0, "the bucket is not full yet")
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(try RateLimitBuckets.deleteFull(db: db.connection), 1)
        XCTAssertEqual(try take().remaining, 1, accuracy: 0.1, "a deleted bucket starts full")
    }
}
