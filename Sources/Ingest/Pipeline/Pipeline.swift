import Dispatch
import Foundation
import Synchronization

/// Two threads and a bounded queue between them: a producer thread that reads and decodes
/// input into batches, and the calling thread that stores them, so that the database works
/// on one batch while the next is decoded. `alertdb ingest`, `alertdb consume` and the
/// benchmark's raw copy all run on it.
///
/// The producer blocks while `capacity` items wait, which bounds memory whatever the input's
/// size. A failure on either side ends both, and the real error (a gzip error, a database
/// error, ...) reaches the caller of `run`, after the items sent before it were consumed.
/// `stop()` ends the pipeline from any thread, whatever state either side is in.
public final class Pipeline<Item: Sendable>: Sendable {
    /// Thrown to a side that tries to go on after the pipeline was stopped.
    public struct Stopped: Error, CustomStringConvertible {
        public var description: String { "stopped" }
    }

    private struct State: ~Copyable {
        var items: [Item] = []
        /// Set by the producer when it has sent everything, or failed.
        var end: Result<Void, any Error>?
        var stopped = false
        /// A side waiting on its semaphore, to be signalled once when the other side moves.
        var producerWaiting = false
        var consumerWaiting = false
    }

    private let capacity: Int
    private let state = Mutex(State())
    private let producerWakeup = DispatchSemaphore(value: 0)
    private let consumerWakeup = DispatchSemaphore(value: 0)

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Runs `produce` on a thread of its own, calling `consume` here for each item it sends,
    /// and returns once the producer has finished and every item was consumed. Rethrows the
    /// first failure of either side; the producer thread has ended by the time `run` returns.
    public static func run(capacity: Int, produce: @escaping @Sendable (Pipeline<Item>) throws -> Void,
                           consume: (Item) throws -> Void) throws {
        let pipeline = Pipeline(capacity: capacity)
        let producerEnded = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { producerEnded.signal() }
            do {
                try produce(pipeline)
                pipeline.end(.success(()))
            } catch is Stopped {
                return
            } catch {
                pipeline.end(.failure(error))
            }
        }
        thread.stackSize = 8 << 20   // Avro C recurses through nested records
        thread.start()
        defer {
            pipeline.stop()
            producerEnded.wait()
        }
        while let item = try pipeline.receive() {
            try consume(item)
        }
    }

    /// Producer: hands `item` over, waiting while the queue is full. Throws `Stopped` once
    /// the pipeline has been stopped.
    public func send(_ item: sending Item) throws {
        var pending: Item? = item
        while true {
            let sent = try state.withLock { state -> Bool in
                guard !state.stopped else { throw Stopped() }
                guard state.items.count < capacity else {
                    state.producerWaiting = true
                    return false
                }
                state.items.append(pending.take()!)
                if state.consumerWaiting {
                    state.consumerWaiting = false
                    consumerWakeup.signal()
                }
                return true
            }
            if sent { return }
            producerWakeup.wait()
        }
    }

    /// Consumer: the next item, or nil once the producer has finished and all were taken.
    /// Rethrows the producer's failure in its place in the sequence; throws `Stopped` once stopped.
    public func receive() throws -> Item? {
        while true {
            let next = try state.withLock { state -> Item?? in
                guard !state.stopped else { throw Stopped() }
                if !state.items.isEmpty {
                    let item = state.items.removeFirst()
                    if state.producerWaiting {
                        state.producerWaiting = false
                        producerWakeup.signal()
                    }
                    return .some(item)
                }
                if let end = state.end {
                    try end.get()
                    return .some(nil)
                }
                state.consumerWaiting = true
                return nil
            }
            if let next { return next }
            consumerWakeup.wait()
        }
    }

    /// Ends the pipeline: waits on either side return at once, and each side's next `send`
    /// or `receive` throws `Stopped`. Safe from any thread, any number of times.
    public func stop() {
        state.withLock { state in
            state.stopped = true
            if state.producerWaiting {
                state.producerWaiting = false
                producerWakeup.signal()
            }
            if state.consumerWaiting {
                state.consumerWaiting = false
                consumerWakeup.signal()
            }
        }
    }

    /// Producer: no more items, because all were sent (`.success`) or because of `error`.
    private func end(_ end: Result<Void, any Error>) {
        state.withLock { state in
            state.end = end
            if state.consumerWaiting {
                state.consumerWaiting = false
                consumerWakeup.signal()
            }
        }
    }
}
