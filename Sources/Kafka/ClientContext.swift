import CRdKafka
import Foundation
import Synchronization

/// What librdkafka's callbacks see behind the `opaque` pointer of one client instance.
/// Callbacks run on librdkafka's threads, hence the lock.
final class ClientContext: Sendable {
    private struct State {
        var deliveryFailures = 0
        var firstDeliveryFailure: String?
        /// Per log facility: when a line was last printed, and how many were dropped since.
        var logged: [String: (printedAt: ContinuousClock.Instant, suppressed: Int)] = [:]
        /// Error kinds already reported on stderr: each is printed once.
        var reported: Set<Int32> = []
        var fatal = false
    }

    /// Warnings and errors of one facility are printed at most this often: librdkafka repeats
    /// connection failures for as long as a broker is down.
    static let logInterval = Duration.seconds(60)

    /// Prefixes every log line, e.g. "kafka consumer".
    let label: String
    private let state = Mutex(State())

    init(label: String) { self.label = label }

    /// Counts one message the producer could not deliver.
    func recordDeliveryFailure(_ reason: String) {
        state.withLock { state in
            state.deliveryFailures += 1
            if state.firstDeliveryFailure == nil { state.firstDeliveryFailure = reason }
        }
    }

    /// The failures counted since the last call, and the first one's reason; resets both.
    func takeDeliveryFailures() -> (count: Int, first: String?) {
        state.withLock { state in
            defer { state.deliveryFailures = 0; state.firstDeliveryFailure = nil }
            return (state.deliveryFailures, state.firstDeliveryFailure)
        }
    }

    /// Prints the first error of each kind on stderr (librdkafka repeats them while a broker is
    /// away, and retries by itself), and remembers a fatal one.
    func reportError(_ code: rd_kafka_resp_err_t, _ reason: String) {
        let isNew = state.withLock { state in
            if code == RD_KAFKA_RESP_ERR__FATAL { state.fatal = true }
            return state.reported.insert(code.rawValue).inserted
        }
        guard isNew else { return }
        let retrying = code == RD_KAFKA_RESP_ERR__FATAL ? "" : " (retrying; further errors of this kind are not shown)"
        FileHandle.standardError.write(Data("\(label): \(errorText(code)): \(reason)\(retrying)\n".utf8))
    }

    /// Whether librdkafka raised a fatal error: the client is unusable.
    var fatalRaised: Bool { state.withLock { $0.fatal } }

    /// Prints one librdkafka log line on stderr, unless the facility printed within `logInterval`
    /// (debug lines, which only appear when asked for with `debug`, are never dropped).
    func log(level: Int32, facility: String, text: String) {
        var line = "\(label): \(facility): \(text)"
        if level <= 4 {
            let now = ContinuousClock.now
            let dropped: Int? = state.withLock { state in
                if let last = state.logged[facility], now - last.printedAt < Self.logInterval {
                    state.logged[facility]!.suppressed += 1
                    return nil
                }
                let dropped = state.logged[facility]?.suppressed ?? 0
                state.logged[facility] = (now, 0)
                return dropped
            }
            guard let dropped else { return }
            if dropped > 0 { line += " (\(dropped) similar lines not shown)" }
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// librdkafka's log callback (set on every client): a plain function, since it runs on librdkafka's threads.
func logCallback(_ client: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ text: UnsafePointer<CChar>?) {
    let facility = facility.map { String(cString: $0) } ?? "?"
    let text = text.map { String(cString: $0) } ?? ""
    if let client, let opaque = rd_kafka_opaque(client) {
        Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue().log(level: level, facility: facility, text: text)
    } else {
        FileHandle.standardError.write(Data("kafka: \(facility): \(text)\n".utf8))
    }
}

/// librdkafka's error callback (set on every client), served by poll calls on the caller's thread.
func errorCallback(_ client: OpaquePointer?, _ code: Int32, _ reason: UnsafePointer<CChar>?, _ opaque: UnsafeMutableRawPointer?) {
    guard let opaque else { return }
    Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
        .reportError(rd_kafka_resp_err_t(rawValue: code), reason.map { String(cString: $0) } ?? "")
}
