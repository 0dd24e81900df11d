import Foundation
import Kafka
import Model
import Store

/// The polling side: reads messages, decodes them, and hands batches to the storing thread.
struct StreamReader: Sendable {
    let consumer: KafkaConsumer
    let database: String
    let options: StreamIngest.Options
    let stop: StopSignal

    /// Polls until stopped (or idle for `options.idleExit`), sending each batch when it is
    /// full or old enough, and the batch in hand at the end.
    func run(into pipeline: Pipeline<PendingBatch>) throws {
        let decoder = try StreamDecoder(database: database, wireSchema: options.wireSchema,
                                        schemaRegistry: options.schemaRegistry, stop: stop)
        var pending = PendingBatch()
        var lastMessage = Date()
        var assigned = false
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
                || pending.age >= options.batchSeconds, !pending.isEmpty {
                try pipeline.send(pending)
                pending = PendingBatch()
            }
        }
        if !pending.isEmpty { try pipeline.send(pending) }
    }
}
