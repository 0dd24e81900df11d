import Postgres

/// A filter expression compiled: the SQL condition and what it costs.
public struct CompiledExpression: Sendable {
    /// The condition, every literal a bound parameter.
    public let condition: SQL
    /// Comparisons and function calls, as counted against the query's filter budget.
    public let terms: Int
    /// `cone()` calls.
    public let cones: Int
}

/// Compiles filter expressions over the columns of a catalogue into SQL conditions: lexer,
/// parser, checker, then SQL in which every literal is a bound parameter and every column
/// comes from the catalogue, so no text of the expression reaches the SQL text.
///
/// Missing values (NULL, NaN, ZTF's sentinels) behave as SQL's NULL: the catalogue's
/// `value` reads them as NULL, so they satisfy no comparison, and NOT of a comparison with
/// them is not true either. To keep indexes usable, NOT is pushed down to the comparisons
/// (negation normal form, flipping each operator) and a comparison of a stored column with
/// constants is written on the stored column, beside its presence test: under AND and OR
/// alone, a comparison that is false where it was NULL selects the same alerts.
public struct ExpressionCompiler: Sendable {
    public let catalogue: ExpressionCatalogue
    public let limits: ExpressionLimits

    /// A compiler for expressions over `catalogue`, within `limits`.
    public init(catalogue: ExpressionCatalogue, limits: ExpressionLimits = ExpressionLimits()) {
        self.catalogue = catalogue
        self.limits = limits
    }

    /// Compiles `text`. `maxTerms` and `maxCones` lower the limits' (for what the query's
    /// other filters use already); `termNote` and `coneNote` explain them in messages.
    public func compile(_ text: String, maxTerms: Int? = nil, maxCones: Int? = nil,
                        termNote: String = "", coneNote: String = "") throws(ExpressionError) -> CompiledExpression {
        let length = text.unicodeScalars.count
        guard length <= limits.maxLength else {
            throw ExpressionError(at: limits.maxLength + 1, "the expression is \(length) characters long; at most \(limits.maxLength)")
        }
        let tree = try ExpressionParser.parse(text, maxDepth: limits.maxDepth)
        var checker = ExpressionChecker(catalogue: catalogue, maxTerms: min(maxTerms ?? limits.maxTerms, limits.maxTerms),
                                        maxCones: min(maxCones ?? limits.maxCones, limits.maxCones),
                                        maxCompiledSize: limits.maxCompiledSize, termNote: termNote, coneNote: coneNote)
        let checked = try checker.condition(tree)
        return CompiledExpression(condition: Self.sql(checked, negated: false, position: catalogue.position),
                                  terms: checker.terms, cones: checker.cones)
    }

    // MARK: - Conditions

    /// `condition`, or its negation, with NOT pushed down to the comparisons.
    static func sql(_ condition: CheckedCondition, negated: Bool, position: (ra: SQL, dec: SQL)?) -> SQL {
        switch condition {
        case .not(let inner):
            return sql(inner, negated: !negated, position: position)
        case .and(let operands), .or(let operands):
            let isAnd: Bool
            if case .and = condition { isAnd = true } else { isAnd = false }
            let parts = operands.map { sql($0, negated: negated, position: position) }
            // De Morgan: NOT (a AND b) is NOT a OR NOT b.
            return isAnd != negated ? "(\(SQL.joined(parts, separator: " AND ")))" : "(\(SQL.joined(parts, separator: " OR ")))"
        case .comparison(let op, let left, let right):
            let op = negated ? op.inverse : op
            if case .column(let column) = left, let stored = column.stored, right.isConstant {
                return present("\(stored.column) \(op.sql) \(literal(right, comparedWith: column))", stored.presence)
            }
            if case .column(let column) = right, let stored = column.stored, left.isConstant {
                return present("\(stored.column) \(op.mirrored.sql) \(literal(left, comparedWith: column))", stored.presence)
            }
            return "(\(operand(left, beside: right)) \(op.sql) \(operand(right, beside: left)))"
        case .between(let checked, let low, let high):
            let keyword: SQL = negated ? "NOT BETWEEN" : "BETWEEN"
            if case .column(let column) = checked, let stored = column.stored, low.isConstant, high.isConstant {
                return present("\(stored.column) \(keyword) \(literal(low, comparedWith: column)) AND \(literal(high, comparedWith: column))", stored.presence)
            }
            return "(\(operand(checked, beside: low)) \(keyword) \(operand(low, beside: checked)) AND \(operand(high, beside: checked)))"
        case .oneOf(let checked, let items):
            let keyword: SQL = negated ? "NOT IN" : "IN"
            if case .column(let column) = checked, let stored = column.stored, items.allSatisfy(\.isConstant) {
                let list = SQL.joined(items.map { literal($0, comparedWith: column) }, separator: ", ")
                return present("\(stored.column) \(keyword) (\(list))", stored.presence)
            }
            let list = SQL.joined(items.map { operand($0, beside: checked) }, separator: ", ")
            return "(\(operand(checked, beside: items[0])) \(keyword) (\(list)))"
        case .like(let checked, let pattern):
            let keyword: SQL = negated ? "NOT LIKE" : "LIKE"
            return "(\(value(checked)) \(keyword) \(pattern))"
        case .isNull(let checked):
            let keyword: SQL = negated ? "IS NOT NULL" : "IS NULL"
            return "(\(value(checked)) \(keyword))"
        case .cone(let ra, let dec, let radius):
            guard let position else { preconditionFailure("the checker lets cone() through only with a position") }
            let cone: SQL = "q3c_radial_query(\(position.ra), \(position.dec), \(ra), \(dec), \(radius))"
            return negated ? "(NOT \(cone))" : cone
        }
    }

    /// A comparison on a stored column, true only where the column holds a value.
    private static func present(_ comparison: SQL, _ presence: SQL?) -> SQL {
        guard let presence else { return "(\(comparison))" }
        return "((\(comparison)) AND \(presence))"
    }

    // MARK: - Values

    /// A value as an operand of a comparison with `other`: a literal beside a column is bound
    /// in the column's type.
    private static func operand(_ operand: CheckedValue, beside other: CheckedValue) -> SQL {
        if operand.isConstant, case .column(let column) = other { return literal(operand, comparedWith: column) }
        return value(operand)
    }

    /// A literal compared directly with `column`: a number in the column's own type when it
    /// fits (so `magpsf <= 19.1` includes a stored 19.1 and the column's index applies), an
    /// integer exactly for integer columns (candids exceed what a double holds), text in the
    /// form the column's value is read in.
    private static func literal(_ constant: CheckedValue, comparedWith column: ExpressionCatalogue.Column) -> SQL {
        if case .text(let text) = constant { return "\(column.textForm(text))" }
        guard case .number(let number, let integer) = constant, case .number(let type) = column.kind else { return value(constant) }
        if type.isInteger, let integer { return "\(integer)" }
        return "\(ConditionBuilder.literal(number, forColumnOf: type).postgresParameter)"
    }

    /// A value; numbers in arithmetic and functions are double precision, so that no integer
    /// or real arithmetic overflows or rounds where a double would not.
    static func value(_ checked: CheckedValue) -> SQL {
        switch checked {
        case .column(let column): return column.value
        case .number(let number, _): return "\(number)"
        case .text(let text): return "\(text)"
        case .time(let jd): return "\(jd)"
        case .band(let fid): return "\(fid)"
        case .negate(let operand): return "(- \(double(operand)))"
        case .arithmetic(let op, let left, let right):
            switch op {
            case .add: return "(\(double(left)) + \(double(right)))"
            case .subtract: return "(\(double(left)) - \(double(right)))"
            case .multiply: return "(\(double(left)) * \(double(right)))"
            // Division by zero has no value: NULL, as a missing value, rather than an error.
            case .divide: return "(\(double(left)) / NULLIF(\(double(right)), 0))"
            }
        case .function(let function, let argument):
            let number = double(argument)
            switch function {
            case .abs: return "abs(\(number))"
            // Outside their domain they have no value (NULL) rather than failing the query.
            case .sqrt: return "(CASE WHEN \(number) >= 0 THEN sqrt(\(number)) END)"
            case .log10: return "(CASE WHEN \(number) > 0 THEN log10(\(number)) END)"
            }
        }
    }

    /// A number as double precision: a column of another type is widened (exactly).
    private static func double(_ checked: CheckedValue) -> SQL {
        if case .column(let column) = checked, case .number(let type) = column.kind, type != .float8 {
            return "CAST(\(column.value) AS double precision)"
        }
        return value(checked)
    }
}

extension ComparisonOperator {
    var sql: SQL {
        switch self {
        case .equal: return "="
        case .notEqual: return "<>"
        case .less: return "<"
        case .lessOrEqual: return "<="
        case .greater: return ">"
        case .greaterOrEqual: return ">="
        }
    }
}

extension ExpressionCompiler {
    /// A `where=` expression as one more condition of a listing query that already holds
    /// `filters` filters and `cones` cones: it gets what they leave of the query's budgets
    /// (`ListingQuery.maxFilters`, `maxCones`), and its errors name the parameter `where`.
    /// `coneNames` are the listing's cone parameters, for the message.
    func whereCondition(_ expression: String, besideFilters filters: Int, cones: Int,
                        coneNames: String = "cone") throws -> CompiledExpression {
        let termNote = filters == 0 ? "" : " beside the query's \(filters) other filter\(filters == 1 ? "" : "s"): a query combines at most \(ListingQuery.maxFilters)"
        let coneNote = cones == 0 ? "" : " beside the query's \(coneNames) (\(ListingQuery.maxCones) cones in all)"
        do {
            return try compile(expression, maxTerms: ListingQuery.maxFilters - filters, maxCones: ListingQuery.maxCones - cones,
                               termNote: termNote, coneNote: coneNote)
        } catch {
            throw ParameterError("where", "where: \(error)")
        }
    }
}
