/// What one filter expression may cost. Planning grows with every term, and each `cone()` adds
/// q3c's ~4 ms of planning at a million alerts; the bounds keep the costliest accepted
/// expression planning in a few milliseconds (Docs/operations.md, Limits, has the figures).
public struct ExpressionLimits: Sendable, Equatable {
    /// Characters (Unicode scalars) at most.
    public var maxLength: Int
    /// How deep parentheses, NOT, unary minus, function calls and chains of operators may nest.
    public var maxDepth: Int
    /// Comparisons (`=`, `BETWEEN`, `IN`, `LIKE`, `IS NULL`, ...) and function calls at most.
    public var maxTerms: Int
    /// `cone()` calls at most.
    public var maxCones: Int
    /// The size of the expression once compiled, in nodes: `sqrt` and `log10` repeat their
    /// argument (to answer NULL outside their domain), so nesting them doubles it.
    public var maxCompiledSize: Int

    /// The listing's limits.
    public init(maxLength: Int = 2_000, maxDepth: Int = 32, maxTerms: Int = 40, maxCones: Int = 2,
                maxCompiledSize: Int = 4_000) {
        self.maxLength = maxLength
        self.maxDepth = maxDepth
        self.maxTerms = maxTerms
        self.maxCones = maxCones
        self.maxCompiledSize = maxCompiledSize
    }
}
