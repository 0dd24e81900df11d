import Foundation
import Postgres
import Synchronization

/// Filters known to match more than the exact-count cap, with the planner's estimate.
///
/// Counting up to the cap is what a broad filter costs most (reading ~90,000 rows of a
/// million for an 11 % filter). Alerts are only ever added, so a filter that matched more
/// than the cap still does: its count need not be taken again. Entries expire after
/// `lifetime` all the same, to bound how long a manual deletion could leave one wrong, and
/// `time__since` never hits, as its bound moves with the clock.
public final class CappedCounts: Sendable {
    private struct Entry {
        let estimate: Int
        let stored: ContinuousClock.Instant
    }

    private let entries = Mutex<[SQL: Entry]>([:])
    private let capacity: Int
    private let lifetime: Duration

    /// At most `capacity` filters (0: remember none).
    public init(capacity: Int = 10_000, lifetime: Duration = .seconds(300)) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// The estimate recorded for the filter `key` (its SQL and values), if it is known to exceed the cap.
    func estimate(_ key: SQL) -> Int? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard now - entry.stored < lifetime else {
                entries[key] = nil
                return nil
            }
            return entry.estimate
        }
    }

    func record(_ key: SQL, estimate: Int) {
        guard capacity > 0 else { return }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(estimate: estimate, stored: .now)
        }
    }
}
