import Foundation
import Kafka
import Model
import Store
import Synchronization

/// What `alertdb consume` reports at `/metrics` (Prometheus text format): throughput, rejects,
/// per-partition lag and the latency from a message's timestamp to its batch's commit.
public final class StreamMetrics: Sendable {
    /// Upper bounds of the latency histogram's buckets, in seconds.
    static let latencyBounds: [Double] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300]

    private struct State: ~Copyable {
        var messages = 0
        var loaded = 0
        var duplicates = 0
        var rejected = 0
        var latency = LatencyHistogram(bounds: StreamMetrics.latencyBounds)
        var lag: [TopicPartition: Int64] = [:]
    }

    private let state = Mutex(State())
    /// The consumer whose partitions' lag is reported, while it runs.
    private let consumer = Mutex<KafkaConsumer?>(nil)

    public init() {}

    func recordBatch(messages: Int, counts: LoadCounts, timestamps: [Int64]) {
        let now = Date().timeIntervalSince1970
        state.withLock { state in
            state.messages += messages
            state.loaded += counts.loaded
            state.duplicates += counts.duplicate
            state.rejected += counts.rejected
            for timestamp in timestamps { state.latency.observe(max(0, now - Double(timestamp) / 1000)) }
        }
    }

    func watch(_ consumer: KafkaConsumer?) {
        self.consumer.withLock { $0 = consumer }
    }

    /// Reads the assigned partitions' committed offsets and high watermarks.
    private func refreshLag() {
        guard let consumer = consumer.withLock({ $0 }), let positions = try? consumer.positions() else { return }
        var lag: [TopicPartition: Int64] = [:]
        for (partition, committed, high) in positions {
            guard let high else { continue }
            lag[partition] = max(0, high - (committed ?? 0))
        }
        state.withLock { $0.lag = lag }
    }

    /// The Prometheus text exposition of everything above.
    public func prometheusText() -> String {
        refreshLag()
        return state.withLock { state in
            var text = PrometheusText()
            text.counter("alertdb_consume_messages_total", "Messages read and stored or rejected.", Double(state.messages))
            text.counter("alertdb_consume_alerts_loaded_total", "Alerts stored.", Double(state.loaded))
            text.counter("alertdb_consume_alerts_duplicate_total", "Alerts already stored (messages read again).", Double(state.duplicates))
            text.counter("alertdb_consume_rejected_total", "Messages that are not alerts, kept in the reject table.", Double(state.rejected))
            text.gauge("alertdb_consume_partition_lag", "Messages of an assigned partition not yet committed.",
                       state.lag.sorted { ($0.key.topic, $0.key.partition) < ($1.key.topic, $1.key.partition) }.map { partition, lag in
                           ([("topic", partition.topic), ("partition", String(partition.partition))], Double(lag))
                       })
            text.histogram("alertdb_consume_latency_seconds", "From a message's timestamp to the commit of its batch.",
                           [([], state.latency)], bounds: Self.latencyBounds)
            return text.text
        }
    }
}
