import HTTP

/// Cross-origin requests (CORS, fetch.spec.whatwg.org): which other sites' pages may read the
/// API's answers. The answers are public (anyone may fetch them without a browser), so by
/// default every origin may (`*`), which lets notebooks and browser tools call the API. No
/// credentials are involved: tokens go in `Authorization`, which a preflight allows.
struct CrossOrigin: Sendable {
    /// The `Access-Control-Allow-Origin` value: `*` or one origin (`https://tools.example.org`).
    let origin: String

    /// Methods a page of another origin may use: the API's reads and the bulk form.
    static let methods = "GET, POST, HEAD"
    /// Request headers it may send: the bulk form's JSON body and API tokens.
    static let requestHeaders = "Content-Type, Authorization"
    /// Response headers beyond the always-readable ones that scripts need: paging links, budgets, file names.
    static let exposedHeaders = "Link, Content-Disposition, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After"

    /// The headers of an answer to a GET, HEAD or POST.
    var headers: [(name: String, value: String)] {
        var headers = [("Access-Control-Allow-Origin", origin), ("Access-Control-Expose-Headers", Self.exposedHeaders)]
        // One origin named: a cache must not give this answer to a page of another origin.
        if origin != "*" { headers.append(("Vary", "Origin")) }
        return headers
    }

    /// The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`): 204, what
    /// may be sent, and for how long the browser may remember it.
    func preflight() -> Response {
        Response(status: 204, headers: headers + [("Access-Control-Allow-Methods", Self.methods),
                                                  ("Access-Control-Allow-Headers", Self.requestHeaders),
                                                  ("Access-Control-Max-Age", "86400")])
    }
}
