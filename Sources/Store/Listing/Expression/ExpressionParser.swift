/// Parses a filter expression into its syntax tree, by recursive descent over the grammar
/// (lowest precedence first):
///
///     condition  := conjunct ( OR conjunct )*
///     conjunct   := negation ( AND negation )*
///     negation   := NOT negation | predicate
///     predicate  := sum [ comparison sum | [NOT] BETWEEN sum AND sum | [NOT] IN ( sum, ... )
///                       | [NOT] LIKE sum | IS [NOT] NULL ]
///     sum        := product ( (+|-) product )*
///     product    := unary ( (*|/) unary )*
///     unary      := - unary | + unary | primary
///     primary    := number | 'string' | ISO time | name | name ( condition, ... ) | ( condition )
///
/// Keywords and function names are case-insensitive. Nesting is bounded while parsing, so no
/// input, however deep its parentheses, can exhaust the stack.
struct ExpressionParser {
    private let tokens: [ExpressionToken]
    private var index = 0
    private let maxDepth: Int
    /// Parentheses, NOTs, minus signs and calls open around the current token.
    private var nesting = 0

    private init(tokens: [ExpressionToken], maxDepth: Int) {
        self.tokens = tokens
        self.maxDepth = maxDepth
    }

    /// The syntax tree of `text`.
    static func parse(_ text: String, maxDepth: Int) throws(ExpressionError) -> ExpressionNode {
        var parser = ExpressionParser(tokens: try ExpressionLexer.tokens(text), maxDepth: maxDepth)
        guard parser.current.kind != .end else {
            throw ExpressionError(at: 1, "the expression is empty; write a condition such as magpsf < 19")
        }
        let tree = try parser.condition()
        guard parser.current.kind == .end else {
            throw ExpressionError(at: parser.current.position, "expected AND, OR or the end of the expression, not \(parser.quoted(parser.current))")
        }
        return tree
    }

    // MARK: - Grammar

    private mutating func condition() throws(ExpressionError) -> ExpressionNode {
        let first = try conjunct()
        var operands = [first]
        while current.isKeyword("OR") {
            advance()
            operands.append(try conjunct())
        }
        return operands.count == 1 ? first : try node(.or(operands), at: first.position)
    }

    private mutating func conjunct() throws(ExpressionError) -> ExpressionNode {
        let first = try negation()
        var operands = [first]
        while current.isKeyword("AND") {
            advance()
            operands.append(try negation())
        }
        return operands.count == 1 ? first : try node(.and(operands), at: first.position)
    }

    private mutating func negation() throws(ExpressionError) -> ExpressionNode {
        guard current.isKeyword("NOT") else { return try predicate() }
        let not = current
        advance()
        try enter(not)
        defer { nesting -= 1 }
        return try node(.not(try negation()), at: not.position)
    }

    private mutating func predicate() throws(ExpressionError) -> ExpressionNode {
        let value = try sum()
        let start = current
        if case .symbol(.comparison(let op)) = start.kind {
            advance()
            return try node(.comparison(op, value, try sum(after: start)), at: start.position)
        }
        if start.isKeyword("IS") {
            advance()
            let negated = current.isKeyword("NOT")
            if negated { advance() }
            guard current.isKeyword("NULL") else {
                throw ExpressionError(at: current.position, "expected NULL after '\(negated ? "IS NOT" : "IS")', not \(quoted(current))")
            }
            advance()
            return try node(.isNull(value, negated: negated), at: start.position)
        }
        var negated = false
        if start.isKeyword("NOT") {
            advance()
            negated = true
            guard current.isKeyword("BETWEEN") || current.isKeyword("IN") || current.isKeyword("LIKE") else {
                throw ExpressionError(at: current.position, "expected BETWEEN, IN or LIKE after NOT, not \(quoted(current))")
            }
        }
        let keyword = current
        if keyword.isKeyword("BETWEEN") {
            advance()
            let low = try sum(after: keyword)
            guard current.isKeyword("AND") else {
                throw ExpressionError(at: current.position, "expected AND in BETWEEN ... AND ..., not \(quoted(current))")
            }
            let and = current
            advance()
            let high = try sum(after: and)
            return try node(.between(value, low: low, high: high, negated: negated), at: keyword.position)
        }
        if keyword.isKeyword("IN") {
            advance()
            let open = current
            guard open.kind == .symbol(.open) else {
                throw ExpressionError(at: open.position, "expected '(' after IN, as in filter IN ('g', 'r')")
            }
            advance()
            var items = [try sum(after: open)]
            while current.kind == .symbol(.comma) {
                let comma = current
                advance()
                items.append(try sum(after: comma))
            }
            try close(open)
            return try node(.oneOf(value, items, negated: negated), at: keyword.position)
        }
        if keyword.isKeyword("LIKE") {
            advance()
            return try node(.like(value, pattern: try sum(after: keyword), negated: negated), at: keyword.position)
        }
        return value
    }

    private mutating func sum(after previous: ExpressionToken? = nil) throws(ExpressionError) -> ExpressionNode {
        var left = try product(after: previous)
        while case .symbol(.arithmetic(let op)) = current.kind, op == .add || op == .subtract {
            let symbol = current
            advance()
            left = try node(.arithmetic(op, left, try product(after: symbol)), at: symbol.position)
        }
        return left
    }

    private mutating func product(after previous: ExpressionToken?) throws(ExpressionError) -> ExpressionNode {
        var left = try unary(after: previous)
        while case .symbol(.arithmetic(let op)) = current.kind, op == .multiply || op == .divide {
            let symbol = current
            advance()
            left = try node(.arithmetic(op, left, try unary(after: symbol)), at: symbol.position)
        }
        return left
    }

    private mutating func unary(after previous: ExpressionToken?) throws(ExpressionError) -> ExpressionNode {
        guard case .symbol(.arithmetic(let op)) = current.kind, op == .add || op == .subtract else {
            return try primary(after: previous)
        }
        let sign = current
        advance()
        try enter(sign)
        defer { nesting -= 1 }
        let operand = try unary(after: sign)
        if op == .add { return operand }
        // -19.5 is a number, bound as one (in the type of the column it is compared with).
        if case .number(let value, let text) = operand.kind {
            return try node(.number(-value, text: "-" + text), at: sign.position)
        }
        return try node(.negate(operand), at: sign.position)
    }

    private mutating func primary(after previous: ExpressionToken?) throws(ExpressionError) -> ExpressionNode {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return try node(.number(value, text: token.text), at: token.position)
        case .string(let text):
            advance()
            return try node(.string(text), at: token.position)
        case .time(let jd):
            advance()
            return try node(.time(jd), at: token.position)
        case .word(let word) where !ExpressionToken.keywords.contains(word.uppercased()):
            advance()
            guard current.kind == .symbol(.open) else { return try node(.name(word), at: token.position) }
            let open = current
            advance()
            try enter(open)
            defer { nesting -= 1 }
            var arguments: [ExpressionNode] = []
            if current.kind != .symbol(.close) {
                arguments.append(try condition(after: open))
                while current.kind == .symbol(.comma) {
                    let comma = current
                    advance()
                    arguments.append(try condition(after: comma))
                }
            }
            try close(open)
            return try node(.call(word, arguments), at: token.position)
        case .symbol(.open):
            advance()
            try enter(token)
            defer { nesting -= 1 }
            let inner = try condition(after: token)
            try close(token)
            return inner
        default:
            throw expectedValue(after: previous)
        }
    }

    /// A condition where a value or condition must start (after `(` or `,`).
    private mutating func condition(after previous: ExpressionToken) throws(ExpressionError) -> ExpressionNode {
        guard startsValue(current) || current.isKeyword("NOT") else { throw expectedValue(after: previous) }
        return try condition()
    }

    // MARK: - Helpers

    private var current: ExpressionToken { tokens[index] }

    private mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    private func startsValue(_ token: ExpressionToken) -> Bool {
        switch token.kind {
        case .number, .string, .time, .symbol(.open), .symbol(.arithmetic(.add)), .symbol(.arithmetic(.subtract)): return true
        case .word(let word): return !ExpressionToken.keywords.contains(word.uppercased())
        default: return false
        }
    }

    private func expectedValue(after previous: ExpressionToken?) -> ExpressionError {
        let found = current.kind == .end ? "" : ", not \(quoted(current))"
        guard let previous = previous ?? (index > 0 ? tokens[index - 1] : nil) else {
            return ExpressionError(at: current.position, "expected a condition such as magpsf < 19\(found)")
        }
        return ExpressionError(at: current.position, "expected a value after '\(previous.text)'\(found)")
    }

    private mutating func close(_ open: ExpressionToken) throws(ExpressionError) {
        guard current.kind == .symbol(.close) else {
            throw ExpressionError(at: current.position, "expected ')' to close the '(' at character \(open.position), not \(quoted(current))")
        }
        advance()
    }

    /// One level deeper; refused beyond the limit before the parser recurses any further.
    private mutating func enter(_ token: ExpressionToken) throws(ExpressionError) {
        nesting += 1
        guard nesting <= maxDepth else { throw tooDeep(at: token.position) }
    }

    private func node(_ kind: ExpressionNode.Kind, at position: Int) throws(ExpressionError) -> ExpressionNode {
        let node = ExpressionNode(kind, at: position)
        guard node.depth <= maxDepth else { throw tooDeep(at: position) }
        return node
    }

    private func tooDeep(at position: Int) -> ExpressionError {
        ExpressionError(at: position, "the expression nests more than \(maxDepth) levels deep (parentheses, NOT, signs, functions and chains of operators)")
    }

    /// A token as a message quotes it.
    func quoted(_ token: ExpressionToken) -> String {
        token.kind == .end ? "the end" : "'\(ValueParsing.clip(token.text))'"
    }
}
