/// Writes metrics in Prometheus' text exposition format (version 0.0.4): each family's HELP
/// and TYPE lines, then its samples.
public struct PrometheusText {
    /// A sample's labels, in the order written.
    public typealias Labels = [(name: String, value: String)]

    public private(set) var text = ""

    public init() {}

    public mutating func counter(_ name: String, _ help: String, _ samples: [(Labels, Double)]) {
        family(name, help, type: "counter", samples)
    }

    public mutating func counter(_ name: String, _ help: String, _ value: Double) {
        counter(name, help, [([], value)])
    }

    public mutating func gauge(_ name: String, _ help: String, _ samples: [(Labels, Double)]) {
        family(name, help, type: "gauge", samples)
    }

    public mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        gauge(name, help, [([], value)])
    }

    /// A histogram: for each label set, the count of observations at or below each of `bounds`
    /// (not cumulative: they are summed here), their sum and their count.
    public mutating func histogram(_ name: String, _ help: String, bounds: [Double],
                                   _ series: [(labels: Labels, counts: [Int], sum: Double, count: Int)]) {
        header(name, help, type: "histogram")
        for (labels, counts, sum, count) in series {
            var cumulative = 0
            for (bound, n) in zip(bounds, counts) {
                cumulative += n
                sample("\(name)_bucket", labels + [("le", Self.number(bound))], Double(cumulative))
            }
            sample("\(name)_bucket", labels + [("le", "+Inf")], Double(count))
            sample("\(name)_sum", labels, sum)
            sample("\(name)_count", labels, Double(count))
        }
    }

    private mutating func family(_ name: String, _ help: String, type: String, _ samples: [(Labels, Double)]) {
        header(name, help, type: type)
        for (labels, value) in samples { sample(name, labels, value) }
    }

    private mutating func header(_ name: String, _ help: String, type: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private mutating func sample(_ name: String, _ labels: Labels, _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.name)=\"\(Self.escape($0.value))\"" }.joined(separator: ",") + "}"
        }
        text += " \(Self.number(value))\n"
    }

    /// Whole numbers without a fraction (counts read as counts), others as Swift prints them.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escape(_ label: String) -> String {
        label.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
