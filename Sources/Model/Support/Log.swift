import Foundation

/// Where alertdb tells its operator what happened: one line per event on standard error,
/// prefixed with the command (`alertdb consume: database unavailable ...`), which systemd's
/// journal keeps with the unit's name.
public struct Log: Sendable {
    public let prefix: String

    public init(_ prefix: String) { self.prefix = prefix }

    public static let command = Log("alertdb")
    public static let serve = Log("alertdb serve")
    public static let consume = Log("alertdb consume")

    public func callAsFunction(_ message: String) {
        FileHandle.standardError.write(Data("\(prefix): \(message)\n".utf8))
    }
}
