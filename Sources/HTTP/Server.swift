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
        /// Idle or slow connections are closed after this many seconds without progress.
        public var connectionTimeoutSeconds = 30
        /// Open connections at most; more are refused at accept.
        public var maxConnections = 1024
        /// Bytes per connection for the request line, headers and query parameters; beyond,
        /// libmicrohttpd answers 414 or 431. Its default, 32 kB, is too tight: libmicrohttpd
        /// 0.9.75 drops the connection instead of answering when a request comes within about
        /// 100 bytes of the limit, or when its parameters' bookkeeping fills it (about 1,000
        /// parameters at 32 kB; each takes about 56 bytes). At 256 kB that takes a request line
        /// of about 256 kB or about 4,000 parameters. The memory is reserved, not touched, per connection.
        public var headerMemory = 256 * 1024
        /// Request bodies larger than this get 413.
        public var maxBodyBytes = 64 * 1024

        public init() {}
    }

    /// The running daemon, taken out by the first `stop()`.
    private let daemon = Mutex<Daemon?>(nil)
    /// What the callbacks reach through libmicrohttpd's context pointer; lives as long as the server.
    private let context: HandlerContext
    /// The port the server listens on (the one chosen by the system when asked for port 0).
    public let port: Int

    /// Starts listening on `host:port` at once; the handler runs until `stop()`.
    public init(host: String, port: Int, limits: Limits = Limits(), handler: @escaping RequestHandler) throws {
        context = HandlerContext(handler: handler, limits: limits)
        let address = try SocketAddress(host: host, port: port)
        var flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_USE_TURBO.rawValue | MHD_USE_ERROR_LOG.rawValue
        if address.isIPv6 { flags |= MHD_USE_IPv6.rawValue }
        let opaque = Unmanaged.passUnretained(context).toOpaque()
        let started = address.withPointer { sockaddr in
            cmhd_start(UInt32(flags), sockaddr, UInt32(limits.threads), UInt32(limits.connectionTimeoutSeconds),
                       limits.headerMemory, UInt32(limits.maxConnections), accessHandler, opaque, requestCompleted)
        }
        guard let started else {
            throw ServerError(message: "cannot listen on \(host):\(port) (address in use, or not an address of this machine)")
        }
        daemon.withLock { $0 = Daemon(pointer: started) }
        self.port = Int(cmhd_bound_port(started))
    }

    deinit { stop() }

    /// Stops accepting, finishes the requests in progress, and closes every connection. The
    /// first call does it; later ones, from any thread, return at once.
    public func stop() {
        if let running = daemon.withLock({ $0.take() }) {
            MHD_stop_daemon(running.pointer)
        }
    }
}

/// libmicrohttpd's daemon: its calls are thread-safe, and the pointer is stopped once.
private struct Daemon: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// The handler and limits, for the callbacks libmicrohttpd makes from its threads.
private final class HandlerContext: Sendable {
    let handler: RequestHandler
    let limits: Server.Limits

    init(handler: @escaping RequestHandler, limits: Server.Limits) {
        self.handler = handler
        self.limits = limits
    }
}

/// The server could not start.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

// MARK: - libmicrohttpd callbacks

/// What libmicrohttpd keeps between the calls it makes for one request (`con_cls`).
private final class RequestState {
    var body: [UInt8] = []
    var bodyTooLarge = false
}

/// libmicrohttpd calls this first with no state (we create it), then once per chunk of body,
/// then with no more body: that is when the request is complete and answered.
private let accessHandler: MHD_AccessHandlerCallback = { context, connection, url, method, _, uploadData, uploadSize, stateSlot in
    guard let context, let connection, let stateSlot, let uploadSize else { return .NO }
    let server = Unmanaged<HandlerContext>.fromOpaque(context).takeUnretainedValue()
    guard let slot = stateSlot.pointee else {
        stateSlot.pointee = Unmanaged.passRetained(RequestState()).toOpaque()
        return .YES
    }
    let state = Unmanaged<RequestState>.fromOpaque(slot).takeUnretainedValue()
    if uploadSize.pointee > 0 {
        if let uploadData, state.body.count + uploadSize.pointee <= server.limits.maxBodyBytes {
            uploadData.withMemoryRebound(to: UInt8.self, capacity: uploadSize.pointee) {
                state.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: uploadSize.pointee))
            }
        } else {
            state.bodyTooLarge = true   // keep reading (and dropping) so the answer can be sent
        }
        uploadSize.pointee = 0
        return .YES
    }

    let response: Response
    if state.bodyTooLarge {
        response = Response(status: 413, contentType: "application/json",
                            body: "{\"error\":\"request body larger than \(server.limits.maxBodyBytes) bytes\"}")
    } else {
        let request = Request(
            method: method.map { String(cString: $0) } ?? "GET",
            path: url.map { String(cString: $0) } ?? "/",
            query: connectionValues(connection, .GET_ARGUMENT_KIND),
            headers: Dictionary(connectionValues(connection, .HEADER_KIND).map { ($0.name.lowercased(), $0.value) },
                                uniquingKeysWith: { _, last in last }),
            body: state.body,
            remoteAddress: clientAddress(connection))
        response = server.handler(request)
    }
    return queue(response, on: connection)
}

/// Frees the state made by `accessHandler` once the request is over (answered or aborted).
private let requestCompleted: MHD_RequestCompletedCallback = { _, _, stateSlot, _ in
    guard let stateSlot, let slot = stateSlot.pointee else { return }
    Unmanaged<RequestState>.fromOpaque(slot).release()
    stateSlot.pointee = nil
}

private func queue(_ response: Response, on connection: OpaquePointer) -> MHD_Result {
    let made = response.body.withUnsafeBytes { bytes in
        MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                                        .RESPMEM_MUST_COPY)
    }
    guard let made else { return .NO }
    defer { MHD_destroy_response(made) }
    for (name, value) in response.headers {
        _ = MHD_add_response_header(made, name, value)
    }
    return MHD_queue_response(connection, UInt32(response.status), made)
}

/// Name/value pairs of one kind (query arguments or headers), in order.
private func connectionValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(name: String, value: String)] {
    var values: [(name: String, value: String)] = []
    withUnsafeMutablePointer(to: &values) { pointer in
        _ = MHD_get_connection_values(connection, kind, { context, _, key, value in
            guard let context, let key else { return .YES }
            let values = context.assumingMemoryBound(to: [(name: String, value: String)].self)
            values.pointee.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
            return .YES
        }, pointer)
    }
    return values
}

private func clientAddress(_ connection: OpaquePointer) -> String {
    guard let address = cmhd_client_address(connection) else { return "" }
    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    let length = socklen_t(address.pointee.sa_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
    guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return "" }
    return String(cString: host)
}
