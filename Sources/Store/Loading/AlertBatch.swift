/// A group of decoded inputs that the loader stores in one transaction.
public struct AlertBatch: Sendable {
    public var alerts: [EncodedAlert] = []
    public var rubinAlerts: [EncodedRubinAlert] = []
    public var rejects: [RejectedInput] = []
    /// Encoded bytes held, to cap a batch's memory.
    public private(set) var byteCount = 0

    public init() {}

    /// A batch of one alert.
    init(_ alert: EncodedAlert) { append(alert) }

    /// A batch of one Rubin alert.
    init(_ alert: EncodedRubinAlert) { append(alert) }

    public var isEmpty: Bool { alerts.isEmpty && rubinAlerts.isEmpty && rejects.isEmpty }
    public var count: Int { alerts.count + rubinAlerts.count + rejects.count }

    public mutating func append(_ alert: EncodedAlert) {
        byteCount += alert.byteCount
        alerts.append(alert)
    }

    public mutating func append(_ alert: EncodedRubinAlert) {
        byteCount += alert.byteCount
        rubinAlerts.append(alert)
    }

    public mutating func append(_ reject: RejectedInput) {
        byteCount += reject.bytes?.count ?? 0
        rejects.append(reject)
    }
}

/// What storing a batch did.
public struct LoadCounts: Sendable {
    public var loaded = 0
    /// Alerts whose candid (diaSourceId for Rubin's) was already stored (or appeared earlier in the same batch).
    public var duplicate = 0
    public var rejected = 0
    public var historyRows = 0

    public init() {}

    public static func += (a: inout LoadCounts, b: LoadCounts) {
        a.loaded += b.loaded
        a.duplicate += b.duplicate
        a.rejected += b.rejected
        a.historyRows += b.historyRows
    }
}
