import Foundation
import Model
import Store
import Synchronization

/// Requests answered by this process, by route and status, and how long they took.
final class RequestMetrics: Sendable {
    /// Upper bounds of the latency histogram's buckets, in seconds.
    static let latencyBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct RouteStatus: Hashable {
        let route: String
        let status: Int
    }

    private struct State: ~Copyable {
        var requests: [RouteStatus: Int] = [:]
        var latency: [String: LatencyHistogram] = [:]
        var limited: [RateLimiter.Kind: Int] = [:]
    }

    private let state = Mutex(State())
    let startTime = Date().timeIntervalSince1970

    func record(route: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[RouteStatus(route: route, status: status), default: 0] += 1
            state.latency[route, default: LatencyHistogram(bounds: Self.latencyBounds)].observe(seconds)
        }
    }

    func recordLimited(_ kind: RateLimiter.Kind) {
        state.withLock { $0.limited[kind, default: 0] += 1 }
    }

    func write(to text: inout PrometheusText) {
        state.withLock { state in
            text.counter("alertdb_http_requests_total", "HTTP requests answered, by route and status.",
                         state.requests.sorted { ($0.key.route, $0.key.status) < ($1.key.route, $1.key.status) }.map {
                             ([("route", $0.key.route), ("status", String($0.key.status))], Double($0.value))
                         })
            text.histogram("alertdb_http_request_duration_seconds", "Time to answer a request, by route.",
                           state.latency.sorted { $0.key < $1.key }.map { ([("route", $0.key)], $0.value) }, bounds: Self.latencyBounds)
            text.counter("alertdb_http_rate_limited_total", "Requests refused with 429, by budget.",
                         RateLimiter.Kind.allCases.map { ([("budget", $0.rawValue)], Double(state.limited[$0] ?? 0)) })
        }
    }
}
