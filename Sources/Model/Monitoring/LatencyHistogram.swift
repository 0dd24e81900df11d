/// Observations of a duration in buckets, as a Prometheus histogram reports them. A value:
/// keep it in the state a lock guards.
public struct LatencyHistogram: Sendable {
    /// Upper bounds of the buckets, in seconds.
    public let bounds: [Double]
    /// Observations per bucket, each counted in the first bucket that holds it (not cumulative).
    public private(set) var counts: [Int]
    public private(set) var sum = 0.0
    public private(set) var count = 0

    public init(bounds: [Double]) {
        self.bounds = bounds
        counts = [Int](repeating: 0, count: bounds.count)
    }

    public mutating func observe(_ seconds: Double) {
        if let bucket = bounds.firstIndex(where: { seconds <= $0 }) { counts[bucket] += 1 }
        sum += seconds
        count += 1
    }
}

extension PrometheusText {
    /// One histogram family from histograms that share their bounds, by label set.
    public mutating func histogram(_ name: String, _ help: String, _ series: [(labels: Labels, histogram: LatencyHistogram)],
                                   bounds: [Double]) {
        histogram(name, help, bounds: bounds, series.map { ($0.labels, $0.histogram.counts, $0.histogram.sum, $0.histogram.count) })
    }
}
