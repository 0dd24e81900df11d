import Foundation

/// A bounded hand-off between the decoding thread and the loading thread: the decoder
/// blocks when `capacity` batches wait, which caps memory whatever the input size.
final class BatchQueue<Batch: Sendable>: @unchecked Sendable {
    enum Message: Sendable {
        case batch(Batch)
        case finished
        case failed(String)
    }

    private let condition = NSCondition()
    private var messages: [Message] = []
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Returns false when the consumer has gone away and the producer should stop.
    @discardableResult
    func put(_ message: Message) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while messages.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        messages.append(message)
        condition.broadcast()
        return true
    }

    func take() -> Message {
        condition.lock()
        defer { condition.unlock() }
        while messages.isEmpty { condition.wait() }
        let message = messages.removeFirst()
        condition.broadcast()
        return message
    }

    /// Tells a blocked producer to stop.
    func cancel() {
        condition.lock()
        cancelled = true
        messages.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
