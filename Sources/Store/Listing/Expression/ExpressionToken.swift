/// One token of a filter expression, with where it starts.
struct ExpressionToken: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// A finite number as written (`19.5`, `1e-3`), with its value.
        case number(Double)
        /// A quoted string, `'...'` with `''` for a quote, without the quotes.
        case string(String)
        /// A bare ISO date or date-time (`2018-06-01`, `2018-06-01T04:05:06Z`), as a Julian date.
        case time(Double)
        /// A name: a column, a function or a keyword (AND, OR, NOT, ...), as written.
        case word(String)
        case symbol(Symbol)
        /// After the last token.
        case end
    }

    enum Symbol: Equatable, Sendable {
        case open, close, comma
        case comparison(ComparisonOperator)
        case arithmetic(ArithmeticOperator)
    }

    let kind: Kind
    /// 1-based character where the token starts.
    let position: Int
    /// The token as written, for messages.
    let text: String

    /// True for the keyword `keyword` (upper case), in any case.
    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = kind { return word.uppercased() == keyword }
        return false
    }

    /// The words the grammar reserves: they cannot name a column.
    static let keywords: Set<String> = ["AND", "OR", "NOT", "BETWEEN", "IN", "IS", "NULL", "LIKE"]
}

/// `=`, `!=` (or `<>`), `<`, `<=`, `>`, `>=`.
enum ComparisonOperator: String, Equatable, Sendable {
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    /// The operator that is true exactly where this one is false (for values that are not NULL).
    var inverse: ComparisonOperator {
        switch self {
        case .equal: return .notEqual
        case .notEqual: return .equal
        case .less: return .greaterOrEqual
        case .lessOrEqual: return .greater
        case .greater: return .lessOrEqual
        case .greaterOrEqual: return .less
        }
    }

    /// The same comparison with its operands swapped (`1 < x` is `x > 1`).
    var mirrored: ComparisonOperator {
        switch self {
        case .equal, .notEqual: return self
        case .less: return .greater
        case .lessOrEqual: return .greaterOrEqual
        case .greater: return .less
        case .greaterOrEqual: return .lessOrEqual
        }
    }
}

/// `+`, `-`, `*`, `/`.
enum ArithmeticOperator: String, Equatable, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
}
