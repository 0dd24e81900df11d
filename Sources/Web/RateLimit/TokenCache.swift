import Foundation
import Store
import Synchronization

/// API tokens looked up in the database and remembered for a short while, so that a script
/// presenting its token on every request costs one lookup per `lifetime`. A revoked token
/// stops working within that time.
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
    /// Entries at most (unknown tokens included, so that guessing cannot grow it without bound).
    static let capacity = 10_000

    private let access: AccessStore
    private let entries = Mutex<[String: Entry]>([:])

    init(access: AccessStore) { self.access = access }

    func lookUp(_ secret: String) -> Answer {
        let now = ProcessInfo.processInfo.systemUptime
        if let entry = entries.withLock({ $0[secret] }), now - entry.at < Self.lifetime { return entry.answer }
        guard secret.utf8.count <= 200 else { return .unknown }
        let answer: Answer
        do {
            answer = try access.token(secret: secret).map { .found(name: $0.name, budget: $0.budget) } ?? .unknown
        } catch {
            return .unavailable
        }
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[secret] = Entry(answer: answer, at: now)
        }
        return answer
    }
}
