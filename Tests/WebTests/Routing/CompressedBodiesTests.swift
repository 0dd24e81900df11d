@testable import Web
import XCTest

/// A body sent before is gzipped once; a different body, even one of the same size, never gets
/// another's gzipped bytes.
final class CompressedBodiesTests: XCTestCase {
    func testTheSameBodyIsCompressedOnceAndAnotherIsNeverMistakenForIt() {
        let cache = CompressedBodies(capacityBytes: 1 << 20)
        var calls = 0
        func compress(_ bytes: [UInt8]) -> [UInt8]? {
            calls += 1
            return [0x1f, 0x8b] + bytes.reversed()
        }
        let page = Array("{\"results\": [1, 2, 3]}".utf8)
        let first = cache.gzipped(page, compress: compress)
        XCTAssertEqual(cache.gzipped(page, compress: compress), first)
        XCTAssertEqual(calls, 1)
        var other = page
        other[other.count - 3] = UInt8(ascii: "4")
        XCTAssertEqual(cache.gzipped(other, compress: compress), [0x1f, 0x8b] + other.reversed())
        XCTAssertEqual(calls, 2)
    }

    func testBodiesTooLargeForTheCacheAreCompressedEveryTime() {
        let cache = CompressedBodies(capacityBytes: 100)
        var calls = 0
        let body = [UInt8](repeating: 7, count: 60)
        for _ in 0..<3 { _ = cache.gzipped(body) { calls += 1; return $0 } }
        XCTAssertEqual(calls, 3)
    }
}
