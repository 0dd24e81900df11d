/// Errors alertdb reports to its user.
public enum AlertDBError: Error, CustomStringConvertible {
    /// The database could not be reached or refused a statement.
    case database(String)
    /// An argument or input file the user gave is not usable.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .database(let message): return message
        case .invalidInput(let message): return message
        }
    }
}
