import HTTP

/// Who may read `/metrics`: the figures (request counts, pool use, the archive's size) are for
/// the operator's Prometheus, which scrapes each process directly, not for the public.
public struct MetricsAccess: Sendable {
    /// Loopback only: a Prometheus on the same machine.
    public static let defaultAllowed = ["127.0.0.0/8", "::1"]

    let allowed: AddressList

    /// Reads `/metrics` when the peer is in `allowed`.
    public init(allowed: AddressList) {
        self.allowed = allowed
    }

    /// The peer's address decides. A forwarding header can only take access away: a reverse
    /// proxy on this machine connects from loopback, so a request it forwards is judged by every
    /// address in its `X-Forwarded-For` too (all must be allowed), whether or not the proxy is a
    /// trusted one; `Forwarded`, which alertdb does not read, refuses.
    func allows(_ request: Request) -> Bool {
        guard allowed.contains(request.remoteAddress), request.header("Forwarded") == nil else { return false }
        guard let forwarded = request.header("X-Forwarded-For") else { return true }
        let hops = forwarded.split(separator: ",", omittingEmptySubsequences: false)
        return hops.count <= 32 && hops.allSatisfy { allowed.contains(String($0)) }
    }
}
