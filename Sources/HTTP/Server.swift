import CMicroHTTPD
import Foundation
import Synchronization

/// Handles one request; called concurrently from the server's threads.
public typealias RequestHandler = @Sendable (Request) -> Response

/// An HTTP/1.1 server on libmicrohttpd: a pool of threads, each with its own epoll loop,
/// that call `handler` for every complete request. `stop()` may be called from any thread.
public final class Server: Sendable {
    /// Limits that keep a slow or greedy client from starving the others.
    public struct Limits: Sendable {
        /// Worker threads; each serves its connections one request at a time.
        public var threads = 8
        /// Connections are closed after this many seconds without progress (a client that
        /// stops reading its response, or sends nothing at all).
        public var connectionTimeoutSeconds = 30
        /// Seconds a client has to send a whole request (line, headers, body), however slowly it
        /// trickles; also the longest a kept-alive connection waits for its next request.
        public var requestTimeoutSeconds = 10
        /// Open connections at most; more are refused at accept.
        public var maxConnections = 1024
        /// Open connections of one peer address at most (0: no cap); more are closed at accept.
        /// Behind a reverse proxy every client has the proxy's address.
        public var maxConnectionsPerClient = 64
        /// Bytes per connection for the request line, headers and query parameters; beyond,
        /// libmicrohttpd answers 414 or 431 itself, in HTML. Its default, 32 kB, is too tight:
        /// libmicrohttpd 0.9.75 drops the connection unanswered when a request comes within a few
        /// hundred bytes of the limit. The limits below refuse requests long before that, with
        /// JSON. The memory is reserved, not touched, per connection.
        public var headerMemory = 256 * 1024
        /// Request targets (path and query) longer than this get 414. 1,000 repeated filters, which
        /// the listing refuses with a 400 naming the filter, take 17 kB.
        public var maxTargetBytes = 32 * 1024
        /// Requests with more query parameters than this get 414: each takes about 56 bytes of
        /// `headerMemory`, and 0.9.75 hangs instead of answering when they do not fit (past about
        /// 3,800 short ones). 2,000 and a 32 kB target leave over 100 kB for the headers.
        public var maxQueryParameters = 2000
        /// Request lines and header fields larger than this, in all, get 431.
        public var maxHeaderBytes = 64 * 1024
        /// Request bodies larger than this get 413.
        public var maxBodyBytes = 64 * 1024

        public init() {}
    }

    /// The running daemon, taken out by the first `stop()`.
    private let daemon = Mutex<Daemon?>(nil)
    /// What the callbacks reach through libmicrohttpd's context pointer; lives as long as the server.
    private let context: ServerContext
    /// The port the server listens on (the one chosen by the system when asked for port 0).
    public let port: Int

    /// Starts listening on `host:port` at once; the handler runs until `stop()`. An IPv6 host
    /// listens for IPv4 too (`::` is every interface of both). `responseHeaders` are added to
    /// every response, the server's own refusals included.
    public init(host: String, port: Int, limits: Limits = Limits(), responseHeaders: [(name: String, value: String)] = [],
                handler: @escaping RequestHandler) throws {
        context = ServerContext(handler: handler, limits: limits, responseHeaders: responseHeaders,
                                watch: ConnectionWatch(timeoutSeconds: limits.requestTimeoutSeconds))
        let address = try SocketAddress(host: host, port: port)
        var flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_USE_TURBO.rawValue | MHD_USE_ERROR_LOG.rawValue
        if address.isIPv6 { flags |= MHD_USE_DUAL_STACK.rawValue }
        let opaque = Unmanaged.passUnretained(context).toOpaque()
        let started = address.withPointer { sockaddr in
            cmhd_start(UInt32(flags), sockaddr, UInt32(limits.threads), UInt32(limits.connectionTimeoutSeconds),
                       limits.headerMemory, UInt32(limits.maxConnections), UInt32(limits.maxConnectionsPerClient),
                       accessHandler, opaque, requestCompleted, targetReceived, connectionChanged)
        }
        guard let started else {
            throw ServerError(message: "cannot listen on \(host):\(port) (address in use, or not an address of this machine)")
        }
        daemon.withLock { $0 = Daemon(pointer: started) }
        self.port = Int(cmhd_bound_port(started))
        context.watch.start()
    }

    deinit { stop() }

    /// Connections closed so far because their request did not arrive within `requestTimeoutSeconds`.
    public var connectionsClosedForLateness: Int { context.watch.closedForLateness }

    /// Stops accepting, finishes the requests in progress, and closes every connection. The
    /// first call does it; later ones, from any thread, return at once.
    public func stop() {
        if let running = daemon.withLock({ $0.take() }) {
            MHD_stop_daemon(running.pointer)
            context.watch.stop()
        }
    }
}

/// libmicrohttpd's daemon: its calls are thread-safe, and the pointer is stopped once.
private struct Daemon: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// The server could not start.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
