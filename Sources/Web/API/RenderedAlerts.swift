import Model
import Synchronization

/// The JSON text of alerts already rendered for the listing, by id and the base URL their
/// links were made with; and their rows as CSV, VOTable and HTML, by id and the format's name
/// (a row holds no absolute link). A stored alert never changes, and the newest pages are the ones every
/// client asks for: re-rendering a page of 100 alerts (15,000 values parsed, built into a tree
/// and printed) costs about 5 ms of CPU, copying their text a few microseconds.
final class RenderedAlerts: Sendable {
    private struct State: ~Copyable {
        var texts: [String: [UInt8]] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    private let capacityBytes: Int

    /// `capacityBytes` of JSON at most (an alert is about 2.5 kB); 0 turns the cache off.
    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    /// False when the cache is off (`--render-cache 0`).
    var isOn: Bool { capacityBytes > 0 }

    func text(id: Int64, base: String) -> [UInt8]? {
        guard capacityBytes > 0 else { return nil }
        let key = Self.key(id, base)
        return state.withLock { $0.texts[key] }
    }

    func store(_ text: [UInt8], id: Int64, base: String) {
        guard capacityBytes > 0 else { return }
        let key = Self.key(id, base)
        state.withLock { state in
            // Full: start again rather than track recency; the hot pages refill it at once.
            if state.bytes + text.count > capacityBytes {
                state.texts.removeAll(keepingCapacity: true)
                state.bytes = 0
            }
            if state.texts.updateValue(text, forKey: key) == nil { state.bytes += text.count }
        }
    }

    private static func key(_ id: Int64, _ base: String) -> String { "\(id) \(base)" }
}
