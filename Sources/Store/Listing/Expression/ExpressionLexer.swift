/// Splits a filter expression into tokens. It reads Unicode scalars, so positions count
/// characters as a person sees them in a plain text box, and it accepts only ASCII outside
/// quoted strings: anything else is a mistake worth pointing at.
struct ExpressionLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// Every token of `text`, ending with `.end` (whose position is one past the last character).
    static func tokens(_ text: String) throws(ExpressionError) -> [ExpressionToken] {
        var lexer = ExpressionLexer(text)
        var tokens: [ExpressionToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private mutating func next() throws(ExpressionError) -> ExpressionToken {
        while index < scalars.count, [" ", "\t", "\n", "\r"].contains(scalars[index]) { index += 1 }
        let start = index
        guard index < scalars.count else { return ExpressionToken(kind: .end, position: start + 1, text: "the end") }
        let scalar = scalars[index]
        if isDigit(scalar) || (scalar == "." && isDigit(peek(1))) {
            return try looksLikeDate() ? time(from: start) : number(from: start)
        }
        if isLetter(scalar) || scalar == "_" {
            while index < scalars.count, isLetter(scalars[index]) || isDigit(scalars[index]) || scalars[index] == "_" { index += 1 }
            let word = text(start, index)
            return ExpressionToken(kind: .word(word), position: start + 1, text: word)
        }
        if scalar == "'" { return try string(from: start) }
        if let symbol = symbol() { return ExpressionToken(kind: .symbol(symbol), position: start + 1, text: text(start, index)) }
        throw ExpressionError(at: start + 1, "unexpected character '\(scalar.escaped(asASCII: true))'")
    }

    // MARK: - Tokens

    private mutating func number(from start: Int) throws(ExpressionError) -> ExpressionToken {
        while isDigit(peek(0)) { index += 1 }
        if peek(0) == "." {
            index += 1
            while isDigit(peek(0)) { index += 1 }
        }
        if peek(0) == "e" || peek(0) == "E" {
            index += 1
            if peek(0) == "+" || peek(0) == "-" { index += 1 }
            guard isDigit(peek(0)) else { throw ExpressionError(at: start + 1, "'\(text(start, index))' is not a number: its exponent has no digits") }
            while isDigit(peek(0)) { index += 1 }
        }
        // `1abc`, `0x10`, `1.5.5`: a number runs into something that cannot follow it.
        if isLetter(peek(0)) || peek(0) == "_" || peek(0) == "." || isDigit(peek(0)) {
            while isLetter(peek(0)) || isDigit(peek(0)) || peek(0) == "_" || peek(0) == "." { index += 1 }
            throw ExpressionError(at: start + 1, "'\(clipped(start, index))' is not a number")
        }
        let written = text(start, index)
        guard let value = Double(written), value.isFinite else {
            throw ExpressionError(at: start + 1, "\(clipped(start, index)) is too large a number")
        }
        return ExpressionToken(kind: .number(value), position: start + 1, text: written)
    }

    /// `dddd-dd-dd`: a date, not a subtraction.
    private func looksLikeDate() -> Bool {
        let shape = "dddd-dd-dd"
        for (offset, expected) in shape.unicodeScalars.enumerated() {
            let scalar = peek(offset)
            if expected == "d" ? !isDigit(scalar) : scalar != expected { return false }
        }
        return true
    }

    private mutating func time(from start: Int) throws(ExpressionError) -> ExpressionToken {
        index += 10
        // The rest of an ISO date-time: THH:MM[:SS[.fff]][Z|±HH[:MM]], taken greedily and
        // judged as a whole by the same parser the time filters use.
        if peek(0) == "T" || peek(0) == "t" {
            index += 1
            while isDigit(peek(0)) || [":", ".", "Z", "z", "+", "-"].contains(peek(0)) { index += 1 }
        }
        if isLetter(peek(0)) || isDigit(peek(0)) || peek(0) == "_" {
            while isLetter(peek(0)) || isDigit(peek(0)) || peek(0) == "_" { index += 1 }
        }
        let written = text(start, index)
        let normalized = written.replacingOccurrences(of: "t", with: "T").replacingOccurrences(of: "z", with: "Z")
        guard let jd = try? ValueParsing.time(normalized, "where") else {
            throw ExpressionError(at: start + 1, "'\(clipped(start, index))' is not an ISO date or date-time such as 2018-06-01 or 2018-06-01T04:05:06Z")
        }
        return ExpressionToken(kind: .time(jd), position: start + 1, text: written)
    }

    private mutating func string(from start: Int) throws(ExpressionError) -> ExpressionToken {
        index += 1
        var value = String.UnicodeScalarView()
        while true {
            guard index < scalars.count else {
                throw ExpressionError(at: start + 1, "the string that starts here has no closing quote (')")
            }
            let scalar = scalars[index]
            index += 1
            if scalar == "'" {
                guard peek(0) == "'" else { break }
                index += 1   // '' is a quote inside the string
            }
            guard scalar != "\0" else { throw ExpressionError(at: index, "a string cannot hold the NUL character") }
            value.append(scalar)
        }
        return ExpressionToken(kind: .string(String(value)), position: start + 1, text: text(start, index))
    }

    private mutating func symbol() -> ExpressionToken.Symbol? {
        let scalar = scalars[index], following = peek(1)
        index += 1
        switch scalar {
        case "(": return .open
        case ")": return .close
        case ",": return .comma
        case "+": return .arithmetic(.add)
        case "-": return .arithmetic(.subtract)
        case "*": return .arithmetic(.multiply)
        case "/": return .arithmetic(.divide)
        case "=": return .comparison(.equal)
        case "!" where following == "=":
            index += 1
            return .comparison(.notEqual)
        case "<":
            if following == "=" { index += 1; return .comparison(.lessOrEqual) }
            if following == ">" { index += 1; return .comparison(.notEqual) }
            return .comparison(.less)
        case ">":
            if following == "=" { index += 1; return .comparison(.greaterOrEqual) }
            return .comparison(.greater)
        default:
            index -= 1
            return nil
        }
    }

    // MARK: - Characters

    private func peek(_ offset: Int) -> Unicode.Scalar {
        index + offset < scalars.count ? scalars[index + offset] : "\0"
    }

    private func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 48 && scalar.value <= 57 }

    private func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value >= 65 && scalar.value <= 90) || (scalar.value >= 97 && scalar.value <= 122)
    }

    private func text(_ from: Int, _ to: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[from..<to])
        return String(view)
    }

    /// A stretch of the expression quoted in a message: short.
    private func clipped(_ from: Int, _ to: Int) -> String {
        ValueParsing.clip(text(from, to))
    }
}
