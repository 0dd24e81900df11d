/// A query parameter the client sent that cannot be used; the API answers 400 with both fields.
public struct ParameterError: Error, CustomStringConvertible, Sendable {
    /// The parameter at fault (nil when the request as a whole is wrong).
    public let parameter: String?
    public let message: String

    public init(_ parameter: String?, _ message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { message }
}
