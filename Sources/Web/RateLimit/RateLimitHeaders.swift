import Model
import Store

/// The headers that tell a client where it stands (IETF draft "RateLimit header fields for HTTP").
enum RateLimitHeaders {
    static func headers(_ state: BucketState, _ budget: Budget) -> [(name: String, value: String)] {
        [("RateLimit-Limit", String(Int(budget.burst))),
         ("RateLimit-Remaining", String(Int(max(0, state.remaining).rounded(.down)))),
         ("RateLimit-Reset", String(Int(max(0, state.resetAfter).rounded(.up)))),
         // The burst, and the window over which it refills: w = burst × interval seconds.
         ("RateLimit-Policy", "\(Int(budget.burst));w=\(Int((budget.burst * budget.interval).rounded()))")]
    }

    /// Whole seconds until one request is available (at least 1, so that a client waits).
    static func retryAfter(_ state: BucketState) -> Int { max(1, Int(state.retryAfter.rounded(.up))) }

    /// What a refusal says, in words.
    static func explanation(_ state: BucketState, _ budget: Budget, kind: RateLimiter.Kind) -> String {
        let what = kind == .cutout ? "cutout images" : "requests"
        return "too many \(what): the budget is \(Int(budget.burst)) at once, then one every \(Format.seconds(budget.interval)); "
            + "try again in \(retryAfter(state)) s (see /help/ for what counts, and ask for an API token to have a larger budget)"
    }
}
