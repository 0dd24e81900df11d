/// A statement for PostgreSQL: SQL text written in the program, with every interpolated value
/// sent as a bound parameter (`$1`, `$2`, ...) and never spliced into the text.
///
///     let alerts: SQL = "SELECT * FROM candidate WHERE \"objectId\" = \(objectId) AND jd > \(since)"
///
/// Its literal parts can only be string literals of the source code (`StaticString`), so a
/// value from outside reaches the text only through a constructor that says what it is:
/// `SQL.identifier` quotes a name, and `SQL(unchecked:)` takes text as is, for the few places
/// that must (a migration file). Fragments compose: a `SQL` interpolated into another keeps
/// its parameters, renumbered in place.
public struct SQL: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// Text and parameter slots in order; `$n` numbers are given only when the text is rendered.
    private enum Piece: Sendable, Hashable {
        case text(String)
        case parameter(Int)
    }

    private var pieces: [Piece] = []
    /// The bound values, in the order of their `$n`.
    public private(set) var parameters: [PostgresParameter] = []

    public init(stringLiteral literal: StaticString) {
        appendText(literal.description)
    }

    public init(stringInterpolation: StringInterpolation) {
        self = stringInterpolation.sql
    }

    /// SQL text taken as it is. Only for text the program trusts and cannot write as a
    /// literal: a migration file, a statement read from the repository.
    public init(unchecked text: String) {
        appendText(text)
    }

    private init() {}

    /// A quoted identifier (a table or column name): `"objectId"`, with any `"` doubled.
    public static func identifier(_ name: String) -> SQL {
        SQL(unchecked: "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
    }

    /// `parts` one after another, with `separator` between them (`AND`, `, `).
    public static func joined(_ parts: [SQL], separator: StaticString) -> SQL {
        var joined = SQL()
        for (index, part) in parts.enumerated() {
            if index > 0 { joined.appendText(separator.description) }
            joined.append(part)
        }
        return joined
    }

    /// Appends another fragment, keeping its parameters.
    public mutating func append(_ other: SQL) {
        let offset = parameters.count
        for piece in other.pieces {
            switch piece {
            case .text(let text): appendText(text)
            case .parameter(let index): pieces.append(.parameter(index + offset))
            }
        }
        parameters += other.parameters
    }

    public static func + (left: SQL, right: SQL) -> SQL {
        var sum = left
        sum.append(right)
        return sum
    }

    /// The text sent to PostgreSQL, with `$1` ... `$n` for the parameters.
    public var text: String {
        var text = ""
        for piece in pieces {
            switch piece {
            case .text(let part): text += part
            case .parameter(let index): text += "$\(index + 1)"
            }
        }
        return text
    }

    public var description: String { text }

    private mutating func appendText(_ text: String) {
        guard !text.isEmpty else { return }
        // Taken out of the array and put back, the last text is the only reference to its
        // buffer and grows in place: a statement of many fragments (a select list of 250
        // columns) is built in linear time, not by copying all of it for each fragment.
        if case .text? = pieces.last, case .text(var last) = pieces.removeLast() {
            last += text
            pieces.append(.text(last))
        } else {
            pieces.append(.text(text))
        }
    }

    private mutating func appendParameter(_ parameter: PostgresParameter) {
        pieces.append(.parameter(parameters.count))
        parameters.append(parameter)
    }

    /// Builds a `SQL` from a string literal with interpolations.
    public struct StringInterpolation: StringInterpolationProtocol {
        public typealias StringLiteralType = StaticString
        fileprivate var sql = SQL()

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: StaticString) {
            sql.appendText(literal.description)
        }

        /// A value, bound as a parameter of its own PostgreSQL type.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            sql.appendParameter(value.postgresParameter)
        }

        /// A value or NULL, bound as a parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            sql.appendParameter(value?.postgresParameter ?? .null(Value.postgresType))
        }

        /// A parameter made by hand (a value in PostgreSQL's text form, of a given type).
        public mutating func appendInterpolation(_ parameter: PostgresParameter) {
            sql.appendParameter(parameter)
        }

        /// A fragment, with its own parameters.
        public mutating func appendInterpolation(_ fragment: SQL) {
            sql.append(fragment)
        }
    }
}
