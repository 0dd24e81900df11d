import CMicroHTTPD
import Foundation

// The functions libmicrohttpd calls from its threads. Each reaches the server through the
// context pointer given at start; none keeps a pointer of libmicrohttpd's past its call.

/// The handler, limits and connections, for the callbacks; lives as long as the server.
final class ServerContext: Sendable {
    let handler: RequestHandler
    let limits: Server.Limits
    let responseHeaders: [(name: String, value: String)]
    let watch: ConnectionWatch

    init(handler: @escaping RequestHandler, limits: Server.Limits, responseHeaders: [(name: String, value: String)],
         watch: ConnectionWatch) {
        self.handler = handler
        self.limits = limits
        self.responseHeaders = responseHeaders
        self.watch = watch
    }

    static func from(_ pointer: UnsafeMutableRawPointer) -> ServerContext {
        Unmanaged<ServerContext>.fromOpaque(pointer).takeUnretainedValue()
    }
}

/// What libmicrohttpd keeps between the calls it makes for one request (`con_cls`).
private final class RequestState {
    /// The server's own answer (414) decided from the request line, if any.
    var refusal: Response?
    /// Whether the access handler has been called (the headers are in).
    var headersReceived = false
    var body: [UInt8] = []
    var bodyTooLarge = false

    init(refusal: Response?) { self.refusal = refusal }
}

/// The key of a connection in the server's `ConnectionWatch`.
private func key(_ connection: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(connection))) }

/// A connection opened or closed: the watch keeps its socket, addresses and request clock.
let connectionChanged: MHD_NotifyConnectionCallback = { context, connection, _, event in
    guard let context, let connection else { return }
    let watch = ServerContext.from(context).watch
    if event == .CONNECTION_NOTIFY_STARTED {
        let socket = cmhd_socket(connection)
        let peer = cmhd_client_address(connection).map(SocketAddress.host(of:)) ?? ""
        watch.opened(key(connection), socket: socket, peer: peer, localAuthority: SocketAddress.localAuthority(ofSocket: socket))
    } else {
        watch.closed(key(connection))
    }
}

/// The request line is in: checks the target before libmicrohttpd parses its query, and makes
/// the request's state, which libmicrohttpd hands to every later call for this request.
let targetReceived: cmhd_target_callback = { context, target, _ in
    guard let context, let target else { return nil }
    let refusal = RequestTarget.refusal(target, limits: ServerContext.from(context).limits)
    return Unmanaged.passRetained(RequestState(refusal: refusal)).toOpaque()
}

/// libmicrohttpd calls this first once the headers are in, then once per chunk of body, then
/// with no more body: that is when the request is complete and answered.
let accessHandler: MHD_AccessHandlerCallback = { context, connection, url, method, _, uploadData, uploadSize, stateSlot in
    guard let context, let connection, let stateSlot, let uploadSize else { return .NO }
    let server = ServerContext.from(context)
    if stateSlot.pointee == nil {
        // `targetReceived` makes the state; this is only in case it did not run.
        stateSlot.pointee = Unmanaged.passRetained(RequestState(refusal: nil)).toOpaque()
    }
    let state = Unmanaged<RequestState>.fromOpaque(stateSlot.pointee!).takeUnretainedValue()
    if !state.headersReceived {
        state.headersReceived = true
        if state.refusal == nil, cmhd_header_bytes(connection) > server.limits.maxHeaderBytes {
            state.refusal = .refusal(431, "the request line and header fields are larger than \(server.limits.maxHeaderBytes) bytes")
        }
        if let refusal = state.refusal {
            _ = server.watch.requestReceived(key(connection))
            return queue(refusal, on: connection, server)
        }
        return .YES
    }
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

    let connectionInfo = server.watch.requestReceived(key(connection))
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
            remoteAddress: connectionInfo?.peer ?? cmhd_client_address(connection).map(SocketAddress.host(of:)) ?? "",
            localAuthority: connectionInfo?.localAuthority ?? "")
        response = server.handler(request)
    }
    return queue(response, on: connection, server)
}

/// Frees the state made for the request once it is over (answered or aborted), and starts the
/// clock of the connection's next request.
let requestCompleted: MHD_RequestCompletedCallback = { context, connection, stateSlot, _ in
    if let context, let connection { ServerContext.from(context).watch.requestCompleted(key(connection)) }
    guard let stateSlot, let slot = stateSlot.pointee else { return }
    Unmanaged<RequestState>.fromOpaque(slot).release()
    stateSlot.pointee = nil
}

private func queue(_ response: Response, on connection: OpaquePointer, _ server: ServerContext) -> MHD_Result {
    let made = response.body.withUnsafeBytes { bytes in
        MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                                        .RESPMEM_MUST_COPY)
    }
    guard let made else { return .NO }
    defer { MHD_destroy_response(made) }
    for (name, value) in response.headers + server.responseHeaders {
        _ = MHD_add_response_header(made, name, value)
    }
    return MHD_queue_response(connection, UInt32(response.status), made)
}

/// Name/value pairs of one kind (query arguments or headers), in order. Read with their
/// lengths: a `%00` in a query decodes to a NUL byte, which a C string would silently end at;
/// kept, it reaches the service, which refuses it.
private func connectionValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(name: String, value: String)] {
    var values: [(name: String, value: String)] = []
    withUnsafeMutablePointer(to: &values) { pointer in
        _ = MHD_get_connection_values_n(connection, kind, { context, _, key, keySize, value, valueSize in
            guard let context, let key else { return .YES }
            func text(_ start: UnsafePointer<CChar>, _ count: Int) -> String {
                String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
            }
            let values = context.assumingMemoryBound(to: [(name: String, value: String)].self)
            values.pointee.append((text(key, keySize), value.map { text($0, valueSize) } ?? ""))
            return .YES
        }, pointer)
    }
    return values
}
