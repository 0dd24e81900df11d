/// One HTTP request as libmicrohttpd parsed it.
public struct Request: Sendable {
    /// GET, HEAD, POST, ...
    public let method: String
    /// The path, percent-decoded, without the query string.
    public let path: String
    /// Query parameters in the order they were sent; a name without `=` has an empty value.
    public var query: [(name: String, value: String)]
    /// Header fields by lower-cased name (the last one wins when a name repeats).
    public let headers: [String: String]
    public let body: [UInt8]
    /// The peer's IP address (not a forwarded one); IPv4 peers of a dual-stack socket read as IPv4.
    public let remoteAddress: String
    /// The address and port the client connected to (`127.0.0.1:8080`, `[::1]:8080`), or "".
    public let localAuthority: String
    /// `http`, or the scheme a trusted reverse proxy says the client used.
    public var scheme = "http"

    public init(method: String, path: String, query: [(name: String, value: String)] = [],
                headers: [String: String] = [:], body: [UInt8] = [], remoteAddress: String = "",
                localAuthority: String = "") {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.localAuthority = localAuthority
    }

    /// The header `name` (case-insensitive).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
