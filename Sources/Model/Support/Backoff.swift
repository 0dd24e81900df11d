import Foundation

/// The pause between attempts at something that failed for a reason outside our control
/// (the database restarting, a broker away): 0.5 s, doubling up to 30 s, and cut short by a stop.
public struct Backoff: Sendable {
    public private(set) var delay: Double
    private let first: Double
    private let maximum: Double

    public init(first: Double = 0.5, maximum: Double = 30) {
        (self.first, self.maximum, delay) = (first, maximum, first)
    }

    /// Waits the current delay (or until `stop` is set) and doubles it for the next time.
    /// Returns false when stopped: the caller gives up instead of trying again.
    public mutating func wait(unless stop: StopSignal?) -> Bool {
        defer { delay = min(delay * 2, maximum) }
        guard let stop else {
            Thread.sleep(forTimeInterval: delay)
            return true
        }
        return !stop.wait(seconds: delay)
    }

    /// Back to the first delay, after a success.
    public mutating func reset() { delay = first }
}
