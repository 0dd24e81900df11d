/// A mistake in a filter expression, found by the lexer, the parser or the checker, at a
/// character of the expression, so that the message can point at it.
public struct ExpressionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 1-based character (Unicode scalar) where the mistake is; one past the end when the
    /// expression stops too early.
    public let position: Int
    /// What is wrong, in the terms of the expression (no SQL).
    public let message: String

    /// An error at `position` (1-based).
    public init(at position: Int, _ message: String) {
        self.position = position
        self.message = message
    }

    /// `at character 17: expected a value after '>='`.
    public var description: String { "at character \(position): \(message)" }
}
