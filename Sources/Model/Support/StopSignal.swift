import Dispatch
import Synchronization

/// A request to stop, set once from any thread (a signal handler's, a test's) and seen by
/// every loop that checks it or waits on it: a wait ends the moment it is set.
public final class StopSignal: Sendable {
    private let isStopped = Mutex(false)
    /// Entered until the stop; waiting on it is waiting for the stop.
    private let latch = DispatchGroup()

    public init() { latch.enter() }

    deinit { stop() }   // a group must not be released while entered

    public var isSet: Bool { isStopped.withLock { $0 } }

    /// Sets the signal; waiters wake at once. Calling it again does nothing.
    public func stop() {
        let first = isStopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        if first { latch.leave() }
    }

    /// Waits `seconds` or until the signal is set, whichever is first; true when it is set.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        latch.wait(timeout: .now() + seconds) == .success
    }
}
