import Foundation
import Synchronization

/// A fixed number of connections shared by threads: `withConnection` lends one, waiting while
/// all are busy. A connection found broken after use is dropped and reopened on next demand,
/// so a database restart costs the requests in flight, not the process.
public final class ConnectionPool: Sendable {
    private let conninfo: String
    private let size: Int
    /// Statements run on every new connection (e.g. a statement_timeout).
    private let setup: [SQL]
    private let state = Mutex(State())
    private let available: DispatchSemaphore

    private struct State: ~Copyable {
        var idle: [UncheckedConnection] = []
        var inUse = 0
        var waits = 0
    }

    /// How busy the pool is, for monitoring: connections lent now, and how many times a
    /// caller had to wait because all were lent.
    public struct Usage: Sendable {
        public let size: Int
        public let inUse: Int
        public let waits: Int
    }

    public var usage: Usage {
        state.withLock { Usage(size: size, inUse: $0.inUse, waits: $0.waits) }
    }

    /// Connections are opened lazily, up to `size`.
    public init(_ conninfo: String, size: Int, setup: [SQL] = []) {
        self.conninfo = conninfo
        self.size = max(1, size)
        self.setup = setup
        available = DispatchSemaphore(value: self.size)
    }

    /// Runs `body` with a connection of its own; rethrows what `body` or connecting throws.
    public func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        if available.wait(timeout: .now()) == .timedOut {
            state.withLock { $0.waits += 1 }
            available.wait()
        }
        defer {
            state.withLock { $0.inUse -= 1 }
            available.signal()
        }
        let idle = state.withLock { state in
            state.inUse += 1
            return state.idle.popLast()
        }
        let lent = try idle ?? open()
        do {
            let value = try body(lent.connection)
            state.withLock { $0.idle.append(lent) }
            return value
        } catch let error as PostgresError where error.isConnectionFailure {
            throw error   // drop the connection: the next request opens a fresh one
        } catch {
            state.withLock { $0.idle.append(lent) }
            throw error
        }
    }

    private func open() throws -> UncheckedConnection {
        let connection = try Connection(conninfo)
        for statement in setup { try connection.execute(statement) }
        return UncheckedConnection(connection: connection)
    }
}

/// A connection moved between threads under the pool's lock: only one thread uses it at a time.
private struct UncheckedConnection: @unchecked Sendable {
    let connection: Connection
}
