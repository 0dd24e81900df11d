import Foundation
import Model
import Store
import Synchronization

/// Per-client token buckets, kept in PostgreSQL so that every `alertdb serve` process on one
/// database spends from the same budget, and a restart forgets nothing.
///
/// Each counted request takes one request from its bucket in one statement. A process also
/// remembers, per bucket, what was left when it last asked: other processes can only take from a
/// bucket, never add, so while that remainder plus its refill stays below one request, the
/// answer is "no" without asking the database. A client polling in a tight loop costs the
/// database one statement per refill, not one per request.
public final class RateLimiter: Sendable {
    /// The two budgets: cutout images have their own, larger one, so that viewing an alert's
    /// page (one request, three images) costs one request of the main budget.
    public enum Kind: String, Sendable, CaseIterable {
        case api, cutout
    }

    public struct Settings: Sendable {
        /// The budget of a client without a token.
        public var budget = Budget(burst: 20, interval: 180)
        /// The cutout budget is the main budget scaled by this.
        public var cutoutFactor = 3.0
        public var identity = ClientIdentity(trustedProxies: [])

        public init() {}

        func budget(_ kind: Kind, base: Budget) -> Budget { kind == .cutout ? base.scaled(by: cutoutFactor) : base }
    }

    /// What the limiter decided about one request.
    public enum Decision: Sendable {
        /// Go ahead; the budget now stands at `state`.
        case allowed(BucketState, Budget)
        /// Refused: come back after `state.retryAfter` seconds.
        case limited(BucketState, Budget)
        /// The token presented is unknown or revoked.
        case unknownToken
    }

    public let settings: Settings
    private let access: AccessStore
    private let tokens: TokenCache
    private let remembered = Mutex<[BucketKey: Remembered]>([:])
    /// Per address, what is left of its allowance of token lookups (`tokenLookupBudget`).
    private let tokenLookups = Mutex<[String: Remembered]>([:])
    private let lastCleanup = Mutex(ProcessInfo.processInfo.systemUptime)
    private let outage = BucketOutage()

    private struct BucketKey: Hashable {
        let client: String
        let kind: Kind
    }

    /// What a bucket held at a moment (of the monotonic clock).
    private struct Remembered {
        let tokens: Double
        let at: Double
        let budget: Budget

        /// At most this many requests are in the bucket at `now`.
        func upperBound(at now: Double) -> Double { min(budget.burst, tokens + (now - at) / budget.interval) }
    }

    /// Remembered buckets at most; beyond, the memory is cleared (it is only a shortcut).
    private static let rememberedLimit = 100_000
    /// Full buckets are deleted from the table this often.
    private static let cleanupSeconds = 600.0

    public init(settings: Settings, access: AccessStore) {
        self.settings = settings
        self.access = access
        tokens = TokenCache(access: access)
    }

    /// Takes `cost` requests of `kind` from the budget of the client behind `peer` (or of its
    /// token, if it has one). A bulk query costs one request per query it holds.
    public func admit(peer: String, forwardedFor: String?, token: String?, kind: Kind, cost: Double = 1) -> Decision {
        let address = settings.identity.client(peer: peer, forwardedFor: forwardedFor)
        guard let token else { return take(client: address, base: settings.budget, kind: kind, cost: cost) }
        // A token not remembered costs a lookup in the database. From an address that could
        // not pay for the request itself, only a few such lookups are allowed (the script that
        // ran out of budget and now shows the token it was given); beyond them, made-up tokens
        // are refused from memory and cost the database nothing.
        if tokens.remembered(token) == nil,
           let refusal = refusalFromMemory(client: address, base: settings.budget, kind: .api, cost: 1),
           !takeTokenLookup(address) {
            return refusal
        }
        switch tokens.lookUp(token) {
        case .found(let name, let budget):
            return take(client: "token:" + name, base: budget, kind: kind, cost: cost)
        case .unknown:
            // Spent from the address's budget, so that guessing tokens is limited like any
            // request: a 401 while the address has requests left, then 429s.
            let decision = take(client: address, base: settings.budget, kind: .api, cost: 1)
            if case .allowed = decision { return .unknownToken }
            return decision
        case .unavailable:
            // The token cannot be checked: the request spends from its address's budget.
            return take(client: address, base: settings.budget, kind: kind, cost: cost)
        }
    }

    /// Lookups of unknown tokens an address may make while its own budget is spent: a few at
    /// once, then one a minute, counted in this process's memory only.
    static let tokenLookupBudget = Budget(burst: 5, interval: 60)

    /// Takes one lookup from `address`'s allowance; false when there is none left.
    private func takeTokenLookup(_ address: String) -> Bool {
        let now = ProcessInfo.processInfo.systemUptime
        return tokenLookups.withLock { memory in
            let budget = Self.tokenLookupBudget
            let available = memory[address]?.upperBound(at: now) ?? budget.burst
            guard available >= 1 else { return false }
            if memory.count >= Self.rememberedLimit { memory.removeAll(keepingCapacity: true) }
            memory[address] = Remembered(tokens: available - 1, at: now, budget: budget)
            return true
        }
    }

    /// Takes `cost` requests from `client`'s bucket of `kind`.
    private func take(client: String, base: Budget, kind: Kind, cost: Double) -> Decision {
        if let refusal = refusalFromMemory(client: client, base: base, kind: kind, cost: cost) { return refusal }
        let budget = settings.budget(kind, base: base)
        let key = BucketKey(client: client, kind: kind)
        let now = ProcessInfo.processInfo.systemUptime
        if outage.skipsDatabase(now: now) { return takeFromMemory(key, budget: budget, cost: cost, now: now) }
        do {
            let state = try access.take(client: client, budget: kind.rawValue, budget, cost: cost)
            outage.succeeded(now: now)
            cleanUpIfDue(now: now)
            remember(key, Remembered(tokens: state.remaining, at: now, budget: budget))
            return state.allowed ? .allowed(state, budget) : .limited(state, budget)
        } catch {
            // Neither let every request through (a primary's outage would lift every limit)
            // nor refuse them for our own failure: the budgets go on in this process's memory.
            outage.failed(error, now: now)
            return takeFromMemory(key, budget: budget, cost: cost, now: now)
        }
    }

    /// Takes `cost` requests from what this process remembers of the bucket (full when it
    /// remembers nothing), as the database would have.
    private func takeFromMemory(_ key: BucketKey, budget: Budget, cost: Double, now: Double) -> Decision {
        remembered.withLock { memory in
            let known = memory[key].flatMap { $0.budget == budget ? $0 : nil }
            let available = known?.upperBound(at: now) ?? budget.burst
            guard available >= cost else {
                return .limited(BucketState(allowed: false, remaining: available, retryAfter: (cost - available) * budget.interval,
                                            resetAfter: (budget.burst - available) * budget.interval), budget)
            }
            if memory.count >= Self.rememberedLimit { memory.removeAll(keepingCapacity: true) }
            memory[key] = Remembered(tokens: available - cost, at: now, budget: budget)
            return .allowed(BucketState(allowed: true, remaining: available - cost, retryAfter: 0,
                                        resetAfter: (budget.burst - available + cost) * budget.interval), budget)
        }
    }

    private func remember(_ key: BucketKey, _ value: Remembered) {
        remembered.withLock { memory in
            if memory.count >= Self.rememberedLimit { memory.removeAll(keepingCapacity: true) }
            memory[key] = value
        }
    }

    /// A refusal when what this process remembers of the bucket says it cannot hold `cost`
    /// requests now (other processes only ever take from it), else nil: ask the database.
    private func refusalFromMemory(client: String, base: Budget, kind: Kind, cost: Double) -> Decision? {
        let budget = settings.budget(kind, base: base)
        guard let known = remembered.withLock({ $0[BucketKey(client: client, kind: kind)] }), known.budget == budget else { return nil }
        let available = known.upperBound(at: ProcessInfo.processInfo.systemUptime)
        guard available < cost else { return nil }
        return .limited(BucketState(allowed: false, remaining: available, retryAfter: (cost - available) * budget.interval,
                                    resetAfter: (budget.burst - available) * budget.interval), budget)
    }

    /// Deletes full buckets every few minutes (one process's turn at a time is enough).
    private func cleanUpIfDue(now: Double) {
        let due = lastCleanup.withLock { last in
            guard now - last >= Self.cleanupSeconds else { return false }
            last = now
            return true
        }
        if due { try? access.deleteFullBuckets() }
    }
}
