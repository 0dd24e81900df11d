import Foundation
@testable import Ingest
import Synchronization
import XCTest

/// The pipeline under ingest and consume: order, real errors from either side, and a stop
/// that ends it whatever state each side is in.
final class PipelineTests: XCTestCase {
    struct Failure: Error, Equatable { let side: String }

    func testItemsArriveInOrderAndRunReturnsWhenTheProducerHasFinished() throws {
        var received: [Int] = []
        try Pipeline<Int>.run(capacity: 2, produce: { pipeline in
            for item in 0..<1000 { try pipeline.send(item) }
        }, consume: { received.append($0) })
        XCTAssertEqual(received, Array(0..<1000))
    }

    func testTheProducersOwnErrorArrivesAfterWhatItSentBefore() {
        var received: [Int] = []
        XCTAssertThrowsError(try Pipeline<Int>.run(capacity: 2, produce: { pipeline in
            for item in 0..<5 { try pipeline.send(item) }
            throw Failure(side: "producer")
        }, consume: { received.append($0) })) { error in
            XCTAssertEqual(error as? Failure, Failure(side: "producer"), "the error itself, not a description of it")
        }
        XCTAssertEqual(received, [0, 1, 2, 3, 4])
    }

    func testAConsumerErrorStopsTheProducerWaitingOnAFullQueue() {
        let producerEnded = Mutex<Error?>(nil)
        XCTAssertThrowsError(try Pipeline<Int>.run(capacity: 1, produce: { pipeline in
            do {
                for item in 0... { try pipeline.send(item) }
            } catch {
                producerEnded.withLock { $0 = error }
                throw error
            }
        }, consume: { item in
            if item == 3 { throw Failure(side: "consumer") }
        })) { error in
            XCTAssertEqual(error as? Failure, Failure(side: "consumer"))
        }
        // run returns only after the producer thread has ended.
        XCTAssertTrue(producerEnded.withLock { $0 } is Pipeline<Int>.Stopped)
    }

    func testStopWakesAConsumerWaitingForAnItem() throws {
        let pipeline = Pipeline<Int>(capacity: 1)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { pipeline.stop() }
        let start = Date()
        XCTAssertThrowsError(try pipeline.receive()) { XCTAssertTrue($0 is Pipeline<Int>.Stopped) }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testStopWakesAProducerWaitingForRoom() throws {
        let pipeline = Pipeline<Int>(capacity: 1)
        try pipeline.send(1)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { pipeline.stop() }
        XCTAssertThrowsError(try pipeline.send(2)) { XCTAssertTrue($0 is Pipeline<Int>.Stopped) }
        XCTAssertThrowsError(try pipeline.receive(), "a stopped pipeline hands out nothing more")
    }
}
