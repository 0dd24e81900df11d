import Foundation
import Store
import Synchronization

/// API tokens looked up in the database and remembered for a short while, so that a script
/// presenting its token on every request costs one lookup per `lifetime`. A revoked token
/// stops working within that time.
///
/// Known and unknown tokens are remembered apart, each up to `capacity`: a client sending
/// thousands of made-up tokens fills only the memory of unknown ones, and every real token
/// stays remembered.
final class TokenCache: Sendable {
    enum Answer: Sendable {
        case found(name: String, budget: Budget)
        case unknown
        case unavailable
    }

    private struct Entry {
        let answer: Answer
        let at: Double
    }

    static let lifetime = 30.0
    /// Entries of each kind at most.
    static let capacity = 10_000

    private let access: AccessStore
    private let known = Mutex<[String: Entry]>([:])
    private let unknown = Mutex<[String: Entry]>([:])

    init(access: AccessStore) { self.access = access }

    /// What is remembered of `secret`, without asking the database; nil when nothing is.
    func remembered(_ secret: String) -> Answer? {
        let now = ProcessInfo.processInfo.systemUptime
        let entry = known.withLock { $0[secret] } ?? unknown.withLock { $0[secret] }
        guard let entry, now - entry.at < Self.lifetime else { return nil }
        return entry.answer
    }

    /// What the database says of `secret` (remembered, or looked up and remembered).
    func lookUp(_ secret: String) -> Answer {
        if let answer = remembered(secret) { return answer }
        guard secret.utf8.count <= 200 else { return .unknown }
        let answer: Answer
        do {
            answer = try access.token(secret: secret).map { .found(name: $0.name, budget: $0.budget) } ?? .unknown
        } catch {
            // While the database is away, a token known before keeps its budget: a revocation
            // made meanwhile could not have been read anyway.
            if let stale = known.withLock({ $0[secret] }) { return stale.answer }
            return .unavailable
        }
        let entry = Entry(answer: answer, at: ProcessInfo.processInfo.systemUptime)
        if case .found = answer { Self.remember(secret, entry, in: known) } else { Self.remember(secret, entry, in: unknown) }
        return answer
    }

    private static func remember(_ secret: String, _ entry: Entry, in memory: borrowing Mutex<[String: Entry]>) {
        memory.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[secret] = entry
        }
    }
}
