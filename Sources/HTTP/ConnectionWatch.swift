import Foundation
import Synchronization

/// The open connections of a server, and a watchdog that closes those whose request has not
/// arrived whole in time. libmicrohttpd's own timeout restarts with every byte received, so a
/// client sending one header line every few seconds kept its connection as long as it liked
/// (77 s for eight lines, one every 10 s); here the clock does not restart.
///
/// The clock of a request starts when its connection opens, or, on a kept-alive connection,
/// when the previous response has been sent; it stops once the request (line, headers and body)
/// is in and being answered. So a kept-alive connection also waits at most that long for its
/// next request.
final class ConnectionWatch: Sendable {
    /// What is known of one open connection.
    struct Entry {
        /// Its socket: libmicrohttpd's, which the watchdog only shuts down, never closes.
        let socket: Int32
        /// Worked out once per connection rather than per request.
        let peer: String
        let localAuthority: String
        /// When the request being received must be complete (monotonic nanoseconds); nil
        /// while a request is being answered, or once the watchdog has shut the socket down.
        var deadline: UInt64?
    }

    /// By the address of libmicrohttpd's connection.
    private let entries = Mutex<[UInt: Entry]>([:])
    private let timeout: UInt64
    private let stopped = Atomic(false)
    private let closedLate = Atomic(0)

    /// `timeoutSeconds`: how long a client may take to send a whole request.
    init(timeoutSeconds: Int) {
        timeout = UInt64(timeoutSeconds) * 1_000_000_000
    }

    /// Connections closed so far because their request did not arrive in time.
    var closedForLateness: Int { closedLate.load(ordering: .relaxed) }

    /// Starts the watchdog thread; it checks the deadlines four times a second until `stop()`.
    func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                usleep(250_000)
                sweep(now: Self.now())
            }
        }
        thread.name = "alertdb-http-watch"
        thread.start()
    }

    /// Ends the watchdog within a quarter of a second.
    func stop() { stopped.store(true, ordering: .relaxed) }

    /// A connection was accepted: its request clock starts.
    func opened(_ key: UInt, socket: Int32, peer: String, localAuthority: String) {
        let entry = Entry(socket: socket, peer: peer, localAuthority: localAuthority, deadline: Self.now() + timeout)
        entries.withLock { $0[key] = entry }
    }

    /// libmicrohttpd is about to close the connection's socket: it must not be touched after this.
    func closed(_ key: UInt) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// The request is in: its clock stops. Returns what is known of the connection.
    func requestReceived(_ key: UInt) -> Entry? {
        entries.withLock { entries in
            entries[key]?.deadline = nil
            return entries[key]
        }
    }

    /// The response has been sent (or the request abandoned): the next request's clock starts.
    func requestCompleted(_ key: UInt) {
        let deadline = Self.now() + timeout
        entries.withLock { $0[key]?.deadline = deadline }
    }

    /// Shuts down the sockets of the connections past their deadline; libmicrohttpd's thread then
    /// reads the end of the stream and closes the connection itself, as if the client had. The
    /// lock is held meanwhile, so that `closed` (which libmicrohttpd calls before it closes the
    /// socket) cannot let the descriptor be reused under us. Returns how many were shut down.
    @discardableResult
    func sweep(now: UInt64) -> Int {
        let count = entries.withLock { entries -> Int in
            let late = entries.filter { $0.value.deadline.map { $0 <= now } ?? false }
            for (key, entry) in late {
                shutdown(entry.socket, Int32(SHUT_RDWR))
                entries[key]?.deadline = nil
            }
            return late.count
        }
        if count > 0 { closedLate.add(count, ordering: .relaxed) }
        return count
    }

    /// Monotonic nanoseconds (not wall time, which may jump).
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
