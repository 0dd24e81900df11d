/// A filter expression after checking: every name resolved to its catalogue column, every
/// literal read as what it is compared with (a time, a filter), every operand of the right
/// kind. This is all the compiler sees.
indirect enum CheckedCondition: Sendable {
    case comparison(ComparisonOperator, CheckedValue, CheckedValue)
    case between(CheckedValue, low: CheckedValue, high: CheckedValue)
    case oneOf(CheckedValue, [CheckedValue])
    case like(CheckedValue, pattern: String)
    case isNull(CheckedValue)
    /// Within `radius` degrees of (`ra`, `dec`), all checked as `cone=` checks them.
    case cone(ra: Double, dec: Double, radius: Double)
    case not(CheckedCondition)
    case and([CheckedCondition])
    case or([CheckedCondition])
}

/// A value of a checked expression.
indirect enum CheckedValue: Sendable {
    case column(ExpressionCatalogue.Column)
    /// A number as written; `integer` when it is a whole number written without a point or
    /// exponent that fits 64 bits (compared exactly with integer columns such as candid).
    case number(Double, integer: Int64?)
    case text(String)
    /// A Julian date.
    case time(Double)
    /// A ZTF filter's fid.
    case band(Int64)
    case negate(CheckedValue)
    case arithmetic(ArithmeticOperator, CheckedValue, CheckedValue)
    case function(NumericFunction, CheckedValue)

    /// True for a literal: something bound as a parameter, no column in it.
    var isConstant: Bool {
        switch self {
        case .number, .text, .time, .band: return true
        default: return false
        }
    }
}

/// The functions of one number.
enum NumericFunction: String, Sendable, CaseIterable {
    case abs, sqrt, log10
}
