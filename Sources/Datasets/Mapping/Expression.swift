/// Why an expression of a mapping cannot be read; `offset` is the character it stopped at.
public struct ExpressionError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { message }
}

/// A small expression language for derived fields and row filters of a mapping:
///
///     arr_amount / 12                   amount_cents * 0.01          coalesce(ended_at, cancel_at)
///     is_trial != 'true'                status in ('active', 'past_due')
///     mrr > 0 and plan is not null      lower(trim(plan_name))       `Monthly Amount` / 100
///
/// Bare names are columns (backquotes for any other name), `'...'` is text, numbers are
/// numbers. Operators, lowest first: `or`, `and`, `not`, comparisons (`=`/`==`, `!=`/`<>`, `<`,
/// `<=`, `>`, `>=`, `is [not] null`, `[not] in (...)`), `+ -`, `* /`, unary `-`. Functions:
/// `lower`, `upper`, `trim`, `coalesce`, `abs`, `round`, `if(condition, then, else)`. A null operand gives null (SQL's rule); a
/// filter keeps a row only when its expression is true. Comparisons are numeric when either side
/// is a number, else on text.
public indirect enum Expression: Sendable, Equatable {
    case column(String)
    case literal(ExpressionValue)
    case negate(Expression)
    case not(Expression)
    case binary(Operator, Expression, Expression)
    case isNull(Expression, negated: Bool)
    case inList(Expression, [Expression], negated: Bool)
    case call(Function, [Expression])

    public enum Operator: String, Sendable {
        case add = "+", subtract = "-", multiply = "*", divide = "/"
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case and, or
    }

    public enum Function: String, Sendable, CaseIterable {
        case lower, upper, trim, coalesce, abs, round
        /// `if(condition, then, else)`.
        case `if`
    }

    /// Reads `text`, or throws where it stops making sense.
    public static func parse(_ text: String) throws -> Expression {
        var parser = ExpressionParser(tokens: try ExpressionLexer.tokens(text), length: text.count)
        let expression = try parser.expression()
        if let token = parser.peek { throw ExpressionError(message: "unexpected '\(token.text)'", offset: token.offset) }
        return expression
    }

    /// The columns the expression reads, in the order they first appear.
    public var columns: [String] {
        var names: [String] = []
        func visit(_ expression: Expression) {
            switch expression {
            case .column(let name): if !names.contains(name) { names.append(name) }
            case .literal: break
            case .negate(let inner), .not(let inner), .isNull(let inner, _): visit(inner)
            case .binary(_, let left, let right): visit(left); visit(right)
            case .inList(let inner, let list, _): visit(inner); list.forEach(visit)
            case .call(_, let arguments): arguments.forEach(visit)
            }
        }
        visit(self)
        return names
    }

    /// The plain column this expression is, if it is nothing more.
    public var plainColumn: String? {
        if case .column(let name) = self { return name }
        return nil
    }

    /// The value for one row; `column` gives the value of a column by name.
    ///
    /// A null operand gives null (SQL's rule), and so does division by zero; arithmetic on a text
    /// that is not a number, or a result that is not finite, gives ``ExpressionValue/invalid``.
    public func evaluate(_ column: (String) -> ExpressionValue) -> ExpressionValue {
        switch self {
        case .column(let name): return column(name)
        case .literal(let value):
            if case .number(let number) = value, !number.isFinite { return .invalid }
            return value
        case .negate(let inner):
            return Expression.arithmetic(inner.evaluate(column)) { .finite(-$0) }
        case .not(let inner):
            let value = inner.evaluate(column)
            if value.isUnknown { return value }
            return .boolean(!value.isTrue)
        case .isNull(let inner, let negated):
            let isNull = inner.evaluate(column) == .null
            return .boolean(isNull != negated)
        case .inList(let inner, let list, let negated):
            let value = inner.evaluate(column)
            if value.isUnknown { return value }
            let found = list.contains { Expression.compare(value, $0.evaluate(column)) == 0 }
            return .boolean(found != negated)
        case .call(.if, let arguments):
            return arguments[0].evaluate(column).isTrue ? arguments[1].evaluate(column) : arguments[2].evaluate(column)
        case .call(let function, let arguments):
            let values = arguments.map { $0.evaluate(column) }
            if function != .coalesce, values[0] == .invalid { return .invalid }
            switch function {
            case .if: return .null
            case .coalesce: return values.first { $0 != .null } ?? .null
            case .lower: return values[0].text.map { .text($0.lowercased()) } ?? .null
            case .upper: return values[0].text.map { .text($0.uppercased()) } ?? .null
            case .trim: return values[0].text.map { .text($0.trimmingSpaces) } ?? .null
            case .abs: return Expression.arithmetic(values[0]) { .number(Swift.abs($0)) }
            case .round:
                let digits = values.count > 1 ? values[1] : .number(0)
                return Expression.arithmetic(values[0], digits) { value, digits in
                    // Negative digits round to tens, hundreds, ...; at most 15 either way.
                    let places = Int(max(-15, min(15, digits.rounded())))
                    let scale = Expression.pow10(abs(places))
                    return .finite(places >= 0 ? (value * scale).rounded() / scale : (value / scale).rounded() * scale)
                }
            }
        case .binary(let op, let leftExpression, let rightExpression):
            switch op {
            case .and:
                let left = leftExpression.evaluate(column)
                if !left.isUnknown && !left.isTrue { return .boolean(false) }
                let right = rightExpression.evaluate(column)
                if !right.isUnknown && !right.isTrue { return .boolean(false) }
                return left.isUnknown || right.isUnknown ? .null : .boolean(true)
            case .or:
                let left = leftExpression.evaluate(column)
                if left.isTrue { return .boolean(true) }
                let right = rightExpression.evaluate(column)
                if right.isTrue { return .boolean(true) }
                return left.isUnknown || right.isUnknown ? .null : .boolean(false)
            default: break
            }
            let left = leftExpression.evaluate(column)
            let right = rightExpression.evaluate(column)
            switch op {
            case .add: return Expression.arithmetic(left, right) { .finite($0 + $1) }
            case .subtract: return Expression.arithmetic(left, right) { .finite($0 - $1) }
            case .multiply: return Expression.arithmetic(left, right) { .finite($0 * $1) }
            case .divide: return Expression.arithmetic(left, right) { $1 == 0 ? .null : .finite($0 / $1) }
            default:
                if left.isUnknown || right.isUnknown { return .null }
                guard let order = Expression.compare(left, right) else { return .null }
                switch op {
                case .equal: return .boolean(order == 0)
                case .notEqual: return .boolean(order != 0)
                case .less: return .boolean(order < 0)
                case .lessOrEqual: return .boolean(order <= 0)
                case .greater: return .boolean(order > 0)
                default: return .boolean(order >= 0)
                }
            }
        }
    }

    /// An operation on numbers: invalid if an operand is unusable, else null if one is absent.
    static func operate(_ operands: [ExpressionValue], _ body: ([Double]) -> ExpressionValue) -> ExpressionValue {
        var numbers: [Double] = []
        var absent = false
        for operand in operands {
            switch operand.operand {
            case .number(let value): numbers.append(value)
            case .absent: absent = true
            case .unusable: return .invalid
            }
        }
        return absent ? .null : body(numbers)
    }

    static func arithmetic(_ value: ExpressionValue, _ body: (Double) -> ExpressionValue) -> ExpressionValue {
        operate([value]) { body($0[0]) }
    }

    static func arithmetic(_ left: ExpressionValue, _ right: ExpressionValue, _ body: (Double, Double) -> ExpressionValue) -> ExpressionValue {
        operate([left, right]) { body($0[0], $0[1]) }
    }

    /// -1, 0 or 1; numeric when either side is a number or a boolean, else on text; nil when a
    /// number meets a text that is not one.
    static func compare(_ left: ExpressionValue, _ right: ExpressionValue) -> Int? {
        func order<T: Comparable>(_ a: T, _ b: T) -> Int { a == b ? 0 : (a < b ? -1 : 1) }
        switch (left, right) {
        case (.null, _), (_, .null), (.invalid, _), (_, .invalid): return nil
        case (.text(let a), .text(let b)): return order(a, b)
        default:
            if let a = left.number, let b = right.number { return order(a, b) }
            // A number or boolean against a word of the boolean vocabulary ('true', 'no', ...):
            // compared as booleans (a 0/1 column against 'true'); against other text, as text.
            if let a = flag(left), let b = flag(right) { return order(a ? 1 : 0, b ? 1 : 0) }
            guard let a = left.text, let b = right.text else { return nil }
            return order(a, b)
        }
    }

    /// A value as a boolean: a boolean, 0 or 1, or a word of the boolean vocabulary.
    static func flag(_ value: ExpressionValue) -> Bool? {
        switch value {
        case .boolean(let flag): return flag
        case .number(let number): return number == 0 ? false : (number == 1 ? true : nil)
        case .text(let text):
            switch text.lowercased() {
            case "true", "t", "yes", "y": return true
            case "false", "f", "no", "n": return false
            default: return nil
            }
        case .null, .invalid: return nil
        }
    }

    static func pow10(_ digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<min(max(digits, 0), 15) { scale *= 10 }
        return scale
    }
}
