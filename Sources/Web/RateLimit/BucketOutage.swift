import Foundation
import Model
import Synchronization

/// Whether the bucket database is known to be unreachable, and when to ask it again.
///
/// While it is away (the primary down, with `serve` reading from a replica), each process keeps
/// the budgets in its own memory instead: clients stay limited, per process rather than across
/// them, and no request waits on a connection attempt that is bound to fail. One request every
/// `retrySeconds` tries the database again; the first that succeeds ends the outage. Each
/// outage is logged once when it begins and once when it ends, not once per request.
final class BucketOutage: Sendable {
    static let retrySeconds = 5.0

    private struct State {
        let since: Double
        var nextTry: Double
    }

    private let state = Mutex<State?>(nil)

    /// True when the database should not be asked now: an outage is on and it is not yet time
    /// to try again. The caller that gets false while an outage is on is the one that retries.
    func skipsDatabase(now: Double) -> Bool {
        state.withLock { state in
            guard var current = state else { return false }
            guard now < current.nextTry else {
                current.nextTry = now + Self.retrySeconds
                state = current
                return false
            }
            return true
        }
    }

    /// The database failed to answer.
    func failed(_ error: any Error, now: Double) {
        let began = state.withLock { state -> Bool in
            guard state == nil else { return false }
            state = State(since: now, nextTry: now + Self.retrySeconds)
            return true
        }
        if began {
            Log.serve("rate limiting from this process's memory: the bucket database is unreachable (\(error))")
        }
    }

    /// The database answered.
    func succeeded(now: Double) {
        guard let since = state.withLock({ state -> Double? in
            defer { state = nil }
            return state?.since
        }) else { return }
        Log.serve("rate limiting back in the bucket database after \(Int((now - since).rounded())) s in memory")
    }
}
