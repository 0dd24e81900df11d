/// A node of a filter expression's syntax tree, as parsed: nothing is known yet about its
/// names or types (the checker's job). Each node keeps where it is written, for messages.
struct ExpressionNode: Equatable, Sendable {
    indirect enum Kind: Equatable, Sendable {
        case number(Double, text: String)
        case string(String)
        /// A bare ISO date or date-time, as a Julian date.
        case time(Double)
        case name(String)
        case call(String, [ExpressionNode])
        case negate(ExpressionNode)
        case arithmetic(ArithmeticOperator, ExpressionNode, ExpressionNode)
        case comparison(ComparisonOperator, ExpressionNode, ExpressionNode)
        case between(ExpressionNode, low: ExpressionNode, high: ExpressionNode, negated: Bool)
        case oneOf(ExpressionNode, [ExpressionNode], negated: Bool)
        case like(ExpressionNode, pattern: ExpressionNode, negated: Bool)
        case isNull(ExpressionNode, negated: Bool)
        case not(ExpressionNode)
        case and([ExpressionNode])
        case or([ExpressionNode])
    }

    let kind: Kind
    /// 1-based character of the node: a value's first character, an operator's own.
    let position: Int
    /// Levels of nodes from this one down to its deepest leaf (a leaf is 1); AND and OR lists
    /// count once however long.
    let depth: Int

    init(_ kind: Kind, at position: Int) {
        self.kind = kind
        self.position = position
        depth = 1 + (kind.children.map(\.depth).max() ?? 0)
    }
}

extension ExpressionNode.Kind {
    /// The nodes directly below.
    var children: [ExpressionNode] {
        switch self {
        case .number, .string, .time, .name: return []
        case .call(_, let arguments): return arguments
        case .negate(let operand), .not(let operand), .isNull(let operand, _): return [operand]
        case .arithmetic(_, let left, let right), .comparison(_, let left, let right): return [left, right]
        case .between(let value, let low, let high, _): return [value, low, high]
        case .oneOf(let value, let items, _): return [value] + items
        case .like(let value, let pattern, _): return [value, pattern]
        case .and(let operands), .or(let operands): return operands
        }
    }
}
