import Foundation
import Kafka

/// The polling side: reads messages, decodes them, and hands batches to the storing thread.
/// Used only from its own thread; the queue and the stop signal are what it shares.
final class StreamReader: @unchecked Sendable {
    let consumer: KafkaConsumer
    let database: String
    let options: StreamIngest.Options
    let metrics: StreamMetrics
    let stop: StopSignal
    let queue: BatchQueue<PendingBatch>
    /// Signalled when `run` returns.
    let finished = DispatchSemaphore(value: 0)

    init(consumer: KafkaConsumer, database: String, options: StreamIngest.Options, metrics: StreamMetrics,
         stop: StopSignal, queue: BatchQueue<PendingBatch>) {
        (self.consumer, self.database, self.options, self.metrics, self.stop, self.queue) = (consumer, database, options, metrics, stop, queue)
    }

    func run() {
        defer { finished.signal() }
        do {
            let decoder = try StreamDecoder(database: database, wireSchema: options.wireSchema, stop: stop)
            var pending = PendingBatch()
            var lastMessage = Date()
            var assigned = false
            /// False when the storing side has gone away.
            func handOver() -> Bool {
                guard !pending.isEmpty else { return true }
                guard queue.put(.batch(pending)) else { return false }
                pending = PendingBatch()
                return true
            }
            while !stop.isSet {
                if let message = try consumer.poll(timeoutMillis: 100) {
                    lastMessage = Date()
                    pending.add(message, outcomes: try decoder.decode(message))
                } else if !assigned {
                    assigned = !((try? consumer.assignment()) ?? []).isEmpty
                    lastMessage = Date()
                } else if let idleExit = options.idleExit, pending.isEmpty, Date().timeIntervalSince(lastMessage) >= idleExit {
                    break
                }
                if pending.count >= options.batchSize || pending.batch.byteCount >= options.batchBytes
                    || pending.age >= options.batchSeconds {
                    guard handOver() else { return }
                }
            }
            guard handOver() else { return }
            queue.put(.finished)
        } catch {
            queue.put(.failed("\(error)"))
        }
    }
}
