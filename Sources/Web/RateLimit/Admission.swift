import HTTP
import JSON
import Model
import Store

extension AlertService {
    /// Whether a request is served, and with which budget headers.
    enum Admission {
        /// Serve it, adding these headers (none when the route is free or limiting is off).
        case proceed([(name: String, value: String)])
        /// Answer this instead (429, or 401 for a bad token).
        case refuse(Response)
    }

    /// Takes the request (`cost` requests, for a bulk query) from its client's budget, unless
    /// its route is free or limiting is off.
    func admission(of request: Request, route: Route, token: String?, cost: Double, _ representation: Representation) -> Admission {
        guard let limiter, let kind = route.rateLimitKind else { return .proceed([]) }
        switch limiter.admit(peer: request.remoteAddress, forwardedFor: request.header("X-Forwarded-For"), token: token,
                             kind: kind, cost: cost) {
        case .allowed(let state, let budget):
            return .proceed(RateLimitHeaders.headers(state, budget))
        case .limited(let state, let budget):
            metrics.recordLimited(kind)
            return .refuse(tooManyRequests(state, budget, kind, representation))
        case .unknownToken:
            return .refuse(Responses.error(401, "the API token is unknown or revoked", parameter: "token", as: representation))
        }
    }

    /// The token of `Authorization: Token T` (or `Bearer T`), else of `?token=T`.
    static func token(of request: Request) -> String? {
        if let authorization = request.header("Authorization") {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, ["token", "bearer"].contains(parts[0].lowercased()) {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return request.query.last { $0.name == "token" }?.value
    }

    /// 429 with `Retry-After`, the budget headers and an explanation.
    private func tooManyRequests(_ state: BucketState, _ budget: Budget, _ kind: RateLimiter.Kind,
                                 _ representation: Representation) -> Response {
        let message = RateLimitHeaders.explanation(state, budget, kind: kind)
        var response: Response
        switch representation {
        case .json, .csv, .votable:
            let body = JSONValue.object()
            body.set("error", .string(message))
            body.set("retry_after", .integer(Int64(RateLimitHeaders.retryAfter(state))))
            response = Responses.json(body, status: 429)
        case .html:
            response = Responses.html(Pages.error(status: 429, message: message, parameter: nil), status: 429)
        }
        response.headers.append(("Retry-After", String(RateLimitHeaders.retryAfter(state))))
        response.headers += RateLimitHeaders.headers(state, budget)
        return response
    }
}
