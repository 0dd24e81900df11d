/// Checks a syntax tree against a column catalogue: names must be columns (an unknown one is
/// reported with the closest names), operands must be of kinds that go together (no LIKE on a
/// number, no arithmetic on text, no text compared with a number), and the expression must be
/// a condition. It also counts what the expression costs against the limits.
struct ExpressionChecker {
    /// The kinds of value the language knows.
    enum ValueKind: Equatable {
        case number, text, time, band

        var described: String {
            switch self {
            case .number: return "a number"
            case .text: return "text"
            case .time: return "a time"
            case .band: return "a filter (g, r or i)"
            }
        }
    }

    let catalogue: ExpressionCatalogue
    /// Terms and cones the expression may use (what the query's other filters leave).
    let maxTerms: Int
    let maxCones: Int
    let maxCompiledSize: Int
    /// Said after the term and the cone limit, to explain where each comes from.
    let termNote: String
    let coneNote: String

    private(set) var terms = 0
    private(set) var cones = 0
    /// Nodes of the compiled SQL (see ExpressionLimits.maxCompiledSize).
    private(set) var compiledSize = 0

    init(catalogue: ExpressionCatalogue, maxTerms: Int, maxCones: Int, maxCompiledSize: Int,
         termNote: String = "", coneNote: String = "") {
        self.catalogue = catalogue
        self.maxTerms = maxTerms
        self.maxCones = maxCones
        self.maxCompiledSize = maxCompiledSize
        self.termNote = termNote
        self.coneNote = coneNote
    }

    // MARK: - Conditions

    mutating func condition(_ node: ExpressionNode) throws(ExpressionError) -> CheckedCondition {
        switch node.kind {
        case .and(let operands):
            var checked: [CheckedCondition] = []
            for operand in operands { checked.append(try condition(operand)) }
            return .and(checked)
        case .or(let operands):
            var checked: [CheckedCondition] = []
            for operand in operands { checked.append(try condition(operand)) }
            return .or(checked)
        case .not(let operand):
            return .not(try condition(operand))
        case .comparison(let op, let leftNode, let rightNode):
            try countTerm(node)
            var (left, right) = (try value(leftNode), try value(rightNode))
            try unify(&left, &right, at: node)
            try grow(by: left.size + right.size, at: node)
            if left.kind == .band && op != .equal && op != .notEqual {
                throw ExpressionError(at: node.position, "a filter is compared with = or != (or IN), not '\(op.rawValue)'")
            }
            return .comparison(op, left.value, right.value)
        case .between(let valueNode, let lowNode, let highNode, let negated):
            try countTerm(node)
            var (checked, low, high) = (try value(valueNode), try value(lowNode), try value(highNode))
            try unify(&checked, &low, at: node)
            try unify(&checked, &high, at: node)
            try grow(by: checked.size + low.size + high.size, at: node)
            if checked.kind == .band { throw ExpressionError(at: node.position, "a filter is compared with = or != (or IN), not BETWEEN") }
            return negatedIf(negated, .between(checked.value, low: low.value, high: high.value))
        case .oneOf(let valueNode, let itemNodes, let negated):
            try countTerm(node)
            var checked = try value(valueNode)
            var items: [CheckedValue] = []
            for itemNode in itemNodes {
                var item = try value(itemNode)
                try unify(&checked, &item, at: itemNode)
                items.append(item.value)
                try grow(by: item.size, at: itemNode)
            }
            try grow(by: checked.size, at: node)
            return negatedIf(negated, .oneOf(checked.value, items))
        case .like(let valueNode, let patternNode, let negated):
            try countTerm(node)
            let checked = try value(valueNode)
            guard checked.kind == .text else {
                throw ExpressionError(at: node.position, "LIKE matches text, and \(describe(valueNode)) is \(checked.kind.described)")
            }
            guard case .string(let pattern) = patternNode.kind else {
                throw ExpressionError(at: patternNode.position, "LIKE takes a quoted pattern such as 'ZTF18%'")
            }
            // PostgreSQL refuses a pattern that ends with its escape character, \.
            guard pattern.reversed().prefix(while: { $0 == "\\" }).count % 2 == 0 else {
                throw ExpressionError(at: patternNode.position, "a LIKE pattern cannot end with \\ (which escapes the next character: \\% is a percent sign)")
            }
            try grow(by: checked.size + 1, at: node)
            return negatedIf(negated, .like(checked.value, pattern: pattern))
        case .isNull(let valueNode, let negated):
            try countTerm(node)
            let checked = try value(valueNode)
            try grow(by: checked.size, at: node)
            return negatedIf(negated, .isNull(checked.value))
        case .call(let name, let arguments) where name.lowercased() == "cone":
            return try cone(arguments, at: node)
        default:
            let kind = try value(node).kind
            throw ExpressionError(at: node.position, "\(describe(node)) is \(kind.described), not a condition; compare it with something, as in magpsf < 19")
        }
    }

    private func negatedIf(_ negated: Bool, _ condition: CheckedCondition) -> CheckedCondition {
        negated ? .not(condition) : condition
    }

    private mutating func cone(_ arguments: [ExpressionNode], at node: ExpressionNode) throws(ExpressionError) -> CheckedCondition {
        try countTerm(node)
        cones += 1
        guard cones <= maxCones else {
            throw ExpressionError(at: node.position, "at most \(maxCones) cone() call\(maxCones == 1 ? "" : "s") here\(coneNote): each costs milliseconds of planning")
        }
        guard catalogue.position != nil else { throw ExpressionError(at: node.position, "cone() needs a position, and these rows have none") }
        guard arguments.count == 3 else {
            throw ExpressionError(at: node.position, "cone takes three numbers, cone(ra, dec, radius) in degrees, not \(arguments.count)")
        }
        var numbers: [Double] = []
        for argument in arguments {
            guard case .number(let number, _) = argument.kind else {
                throw ExpressionError(at: argument.position, "cone's arguments are numbers: cone(ra, dec, radius) in degrees")
            }
            numbers.append(number)
        }
        guard (-90...90).contains(numbers[1]) else { throw ExpressionError(at: arguments[1].position, "cone: dec must be between -90 and 90") }
        // As for cone=: below 1e-9 degrees q3c's arithmetic underflows; above 10 a cone is the whole table.
        guard numbers[2] >= 1e-9, numbers[2] <= 10 else {
            throw ExpressionError(at: arguments[2].position, "cone: radius must be from 1e-9 to 10 degrees")
        }
        let wrapped = numbers[0].truncatingRemainder(dividingBy: 360)
        try grow(by: 4, at: node)
        return .cone(ra: wrapped < 0 ? wrapped + 360 : wrapped, dec: numbers[1], radius: numbers[2])
    }

    // MARK: - Values

    /// A checked value with its kind, the node it came from (for messages, and to read a
    /// quoted string as the time or filter it is compared with) and its compiled size.
    struct Typed {
        var value: CheckedValue
        var kind: ValueKind
        var node: ExpressionNode
        /// The compiled size of the value (sqrt and log10 repeat their argument).
        var size: Int
    }

    mutating func value(_ node: ExpressionNode) throws(ExpressionError) -> Typed {
        switch node.kind {
        case .number(let number, let text):
            let integer = text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? nil : Int64(text)
            return Typed(value: .number(number, integer: integer), kind: .number, node: node, size: 1)
        case .string(let text):
            return Typed(value: .text(text), kind: .text, node: node, size: 1)
        case .time(let jd):
            return Typed(value: .time(jd), kind: .time, node: node, size: 1)
        case .name(let name):
            guard let column = catalogue.column(name) else { throw unknownColumn(name, at: node.position) }
            let kind: ValueKind
            switch column.kind {
            case .number: kind = .number
            case .text: kind = .text
            case .time: kind = .time
            case .band: kind = .band
            }
            return Typed(value: .column(column), kind: kind, node: node, size: 1)
        case .negate(let operandNode):
            let operand = try number(operandNode, for: "'-'")
            return Typed(value: .negate(operand.value), kind: .number, node: node, size: operand.size + 1)
        case .arithmetic(let op, let leftNode, let rightNode):
            let left = try number(leftNode, for: "'\(op.rawValue)'")
            let right = try number(rightNode, for: "'\(op.rawValue)'")
            return Typed(value: .arithmetic(op, left.value, right.value), kind: .number, node: node, size: left.size + right.size + 1)
        case .call(let name, let arguments):
            guard let function = NumericFunction(rawValue: name.lowercased()) else {
                if name.lowercased() == "cone" {
                    throw ExpressionError(at: node.position, "cone(...) is a condition, not a value")
                }
                throw ExpressionError(at: node.position, "unknown function '\(ValueParsing.clip(name))'; the functions are abs, sqrt, log10 and cone")
            }
            try countTerm(node)
            guard arguments.count == 1 else {
                throw ExpressionError(at: node.position, "\(function.rawValue) takes one number, not \(arguments.count)")
            }
            let argument = try number(arguments[0], for: function.rawValue)
            // sqrt and log10 read their argument twice: once to test the domain.
            let size = function == .abs ? argument.size + 1 : 2 * argument.size + 2
            return Typed(value: .function(function, argument.value), kind: .number, node: node, size: size)
        default:
            throw ExpressionError(at: node.position, "expected a value here, not a condition")
        }
    }

    /// `node` as a number, the operand of `operation` (for the message when it is not).
    private mutating func number(_ node: ExpressionNode, for operation: String) throws(ExpressionError) -> Typed {
        let typed = try value(node)
        guard typed.kind == .number else {
            throw ExpressionError(at: node.position, "\(operation) needs numbers, and \(describe(node)) is \(typed.kind.described)")
        }
        return typed
    }

    /// Makes two operands comparable: a quoted string against a time is read as an ISO time,
    /// against a filter as g, r or i; otherwise both must be of the same kind.
    private func unify(_ left: inout Typed, _ right: inout Typed, at node: ExpressionNode) throws(ExpressionError) {
        try coerce(&right, to: left.kind)
        try coerce(&left, to: right.kind)
        guard left.kind == right.kind else {
            throw ExpressionError(at: node.position, "cannot compare \(describe(left.node)) (\(left.kind.described)) with \(describe(right.node)) (\(right.kind.described))")
        }
    }

    private func coerce(_ operand: inout Typed, to kind: ValueKind) throws(ExpressionError) {
        guard case .string(let text) = operand.node.kind, operand.kind == .text, kind == .time || kind == .band else { return }
        if kind == .time {
            guard let jd = try? ValueParsing.time(text, "where") else {
                throw ExpressionError(at: operand.node.position, "'\(ValueParsing.clip(text))' is not an ISO date or date-time such as 2018-06-01 or 2018-06-01T04:05:06Z")
            }
            operand.value = .time(jd)
        } else {
            guard let fid = try? ValueParsing.filterID(text, "where") else {
                throw ExpressionError(at: operand.node.position, "'\(ValueParsing.clip(text))' is not a ZTF filter: g, r or i")
            }
            operand.value = .band(fid)
        }
        operand.kind = kind
    }

    // MARK: - Costs and messages

    private mutating func countTerm(_ node: ExpressionNode) throws(ExpressionError) {
        terms += 1
        guard terms <= maxTerms else {
            throw ExpressionError(at: node.position, "more than \(maxTerms) terms (comparisons and function calls)\(termNote)")
        }
        try grow(by: 1, at: node)
    }

    /// Counts compiled nodes: the sizes of a term's values (which include what their sqrt and
    /// log10 repeat), or fixed parts.
    private mutating func grow(by nodes: Int, at node: ExpressionNode) throws(ExpressionError) {
        compiledSize += nodes
        guard compiledSize <= maxCompiledSize else {
            throw ExpressionError(at: node.position, "the expression is too large once compiled: sqrt and log10 repeat their argument, so nesting them doubles it")
        }
    }

    private func unknownColumn(_ name: String, at position: Int) -> ExpressionError {
        let close = catalogue.suggestions(for: name)
        let hint = close.isEmpty ? "see /help/#fields for the fields" : "did you mean \(close.joined(separator: ", "))?"
        return ExpressionError(at: position, "unknown column '\(ValueParsing.clip(name))'; \(hint)")
    }

    /// How a message names an operand: a column by its name, a literal as written.
    private func describe(_ node: ExpressionNode) -> String {
        switch node.kind {
        case .name(let name): return catalogue.column(name)?.name ?? name
        case .number(_, let text): return text
        case .string(let text): return "'\(ValueParsing.clip(text))'"
        case .time: return "the time"
        case .call(let name, _): return "\(name)(...)"
        default: return "the expression at character \(node.position)"
        }
    }
}
