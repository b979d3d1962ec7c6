/// A value an expression computes: from a column (text, or a number for a SQLite number), a
/// literal, or an operation.
public enum ExpressionValue: Sendable, Equatable {
    case null
    case number(Double)
    case text(String)
    case boolean(Bool)

    /// The value as a number: a number, a text that reads as one, a boolean as 1 or 0.
    public var number: Double? {
        switch self {
        case .number(let value): return value
        case .text(let text): return ExpressionValue.parseNumber(text)
        case .boolean(let flag): return flag ? 1 : 0
        case .null: return nil
        }
    }

    /// The value as text (a whole number without a decimal point).
    public var text: String? {
        switch self {
        case .text(let text): return text
        case .number(let value): return ExpressionValue.format(value)
        case .boolean(let flag): return flag ? "true" : "false"
        case .null: return nil
        }
    }

    /// Whether a filter keeps the row: true, a non-zero number, or the texts true/yes/1.
    public var isTrue: Bool {
        switch self {
        case .boolean(let flag): return flag
        case .number(let value): return value != 0
        case .text(let text): return ["true", "t", "yes", "y", "1"].contains(text.lowercased())
        case .null: return false
        }
    }

    static func parseNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty, let value = Double(trimmed), value.isFinite else { return nil }
        return value
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}

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
    public func evaluate(_ column: (String) -> ExpressionValue) -> ExpressionValue {
        switch self {
        case .column(let name): return column(name)
        case .literal(let value): return value
        case .negate(let inner):
            guard let number = inner.evaluate(column).number else { return .null }
            return .number(-number)
        case .not(let inner):
            let value = inner.evaluate(column)
            if value == .null { return .null }
            return .boolean(!value.isTrue)
        case .isNull(let inner, let negated):
            let isNull = inner.evaluate(column) == .null
            return .boolean(isNull != negated)
        case .inList(let inner, let list, let negated):
            let value = inner.evaluate(column)
            if value == .null { return .null }
            let found = list.contains { Expression.compare(value, $0.evaluate(column)) == 0 }
            return .boolean(found != negated)
        case .call(.if, let arguments):
            return arguments[0].evaluate(column).isTrue ? arguments[1].evaluate(column) : arguments[2].evaluate(column)
        case .call(let function, let arguments):
            let values = arguments.map { $0.evaluate(column) }
            switch function {
            case .if: return .null
            case .coalesce: return values.first { $0 != .null } ?? .null
            case .lower: return values[0].text.map { .text($0.lowercased()) } ?? .null
            case .upper: return values[0].text.map { .text($0.uppercased()) } ?? .null
            case .trim: return values[0].text.map { .text($0.trimmingSpaces) } ?? .null
            case .abs: return values[0].number.map { .number(Swift.abs($0)) } ?? .null
            case .round:
                guard let value = values[0].number else { return .null }
                let digits = values.count > 1 ? values[1].number ?? 0 : 0
                guard digits.isFinite else { return .null }
                // Negative digits round to tens, hundreds, ...; at most 15 either way.
                let places = Int(max(-15, min(15, digits.rounded())))
                let scale = Expression.pow10(abs(places))
                return .number(places >= 0 ? (value * scale).rounded() / scale : (value / scale).rounded() * scale)
            }
        case .binary(let op, let leftExpression, let rightExpression):
            switch op {
            case .and:
                let left = leftExpression.evaluate(column)
                if left != .null && !left.isTrue { return .boolean(false) }
                let right = rightExpression.evaluate(column)
                if right != .null && !right.isTrue { return .boolean(false) }
                return left == .null || right == .null ? .null : .boolean(true)
            case .or:
                let left = leftExpression.evaluate(column)
                if left.isTrue { return .boolean(true) }
                let right = rightExpression.evaluate(column)
                if right.isTrue { return .boolean(true) }
                return left == .null || right == .null ? .null : .boolean(false)
            default: break
            }
            let left = leftExpression.evaluate(column)
            let right = rightExpression.evaluate(column)
            if left == .null || right == .null { return .null }
            switch op {
            case .add, .subtract, .multiply, .divide:
                guard let a = left.number, let b = right.number else { return .null }
                switch op {
                case .add: return .number(a + b)
                case .subtract: return .number(a - b)
                case .multiply: return .number(a * b)
                default: return b == 0 ? .null : .number(a / b)
                }
            default:
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

    /// -1, 0 or 1; numeric when either side is a number or a boolean, else on text; nil when a
    /// number meets a text that is not one.
    static func compare(_ left: ExpressionValue, _ right: ExpressionValue) -> Int? {
        func order<T: Comparable>(_ a: T, _ b: T) -> Int { a == b ? 0 : (a < b ? -1 : 1) }
        switch (left, right) {
        case (.null, _), (_, .null): return nil
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
        case .null: return nil
        }
    }

    static func pow10(_ digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<min(max(digits, 0), 15) { scale *= 10 }
        return scale
    }
}

struct ExpressionToken: Equatable {
    enum Kind: Equatable { case name, quotedName, number, text, symbol }
    var kind: Kind
    var text: String
    var offset: Int
}

enum ExpressionLexer {
    static func tokens(_ source: String) throws -> [ExpressionToken] {
        let characters = Array(source)
        var tokens: [ExpressionToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == " " || character == "\t" || character == "\n" { index += 1; continue }
            let start = index
            if character.isLetter || character == "_" {
                while index < characters.count && (characters[index].isLetter || characters[index].isNumber || characters[index] == "_" || characters[index] == ".") {
                    index += 1
                }
                tokens.append(ExpressionToken(kind: .name, text: String(characters[start..<index]), offset: start))
            } else if character.isNumber {
                while index < characters.count && (characters[index].isNumber || characters[index] == ".") { index += 1 }
                if index < characters.count && (characters[index] == "e" || characters[index] == "E") {
                    index += 1
                    if index < characters.count && (characters[index] == "+" || characters[index] == "-") { index += 1 }
                    while index < characters.count && characters[index].isNumber { index += 1 }
                }
                let text = String(characters[start..<index])
                guard Double(text) != nil else { throw ExpressionError(message: "'\(text)' is not a number", offset: start) }
                tokens.append(ExpressionToken(kind: .number, text: text, offset: start))
            } else if character == "'" || character == "`" || character == "\"" {
                // 'text'; `column` or "column" for names that are not plain; a doubled quote escapes itself.
                var value = ""
                index += 1
                var closed = false
                while index < characters.count {
                    if characters[index] == character {
                        if index + 1 < characters.count && characters[index + 1] == character {
                            value.append(character)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    value.append(characters[index])
                    index += 1
                }
                guard closed else { throw ExpressionError(message: "unterminated \(character)...\(character)", offset: start) }
                tokens.append(ExpressionToken(kind: character == "'" ? .text : .quotedName, text: value, offset: start))
            } else {
                let two = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
                if ["==", "!=", "<>", "<=", ">="].contains(two) {
                    tokens.append(ExpressionToken(kind: .symbol, text: two, offset: start))
                    index += 2
                } else if "+-*/()<>=,".contains(character) {
                    tokens.append(ExpressionToken(kind: .symbol, text: String(character), offset: start))
                    index += 1
                } else {
                    throw ExpressionError(message: "unexpected character '\(character)'", offset: start)
                }
            }
        }
        return tokens
    }
}

struct ExpressionParser {
    var tokens: [ExpressionToken]
    var length: Int
    var position = 0

    var peek: ExpressionToken? { position < tokens.count ? tokens[position] : nil }

    mutating func take() -> ExpressionToken? {
        defer { position += 1 }
        return peek
    }

    func isKeyword(_ word: String, at offset: Int = 0) -> Bool {
        let index = position + offset
        guard index < tokens.count, tokens[index].kind == .name else { return false }
        return tokens[index].text.lowercased() == word
    }

    func isSymbol(_ symbol: String) -> Bool {
        guard let token = peek, token.kind == .symbol else { return false }
        return token.text == symbol
    }

    mutating func expect(_ symbol: String) throws {
        guard isSymbol(symbol) else {
            throw ExpressionError(message: "expected '\(symbol)'" + (peek.map { " before '\($0.text)'" } ?? " at the end"),
                                  offset: peek?.offset ?? length)
        }
        position += 1
    }

    mutating func expression() throws -> Expression { try or() }

    mutating func or() throws -> Expression {
        var left = try and()
        while isKeyword("or") {
            position += 1
            left = .binary(.or, left, try and())
        }
        return left
    }

    mutating func and() throws -> Expression {
        var left = try not()
        while isKeyword("and") {
            position += 1
            left = .binary(.and, left, try not())
        }
        return left
    }

    mutating func not() throws -> Expression {
        if isKeyword("not") && !isKeyword("in", at: 1) {
            position += 1
            return .not(try not())
        }
        return try comparison()
    }

    mutating func comparison() throws -> Expression {
        let left = try additive()
        if isKeyword("is") {
            position += 1
            let negated = isKeyword("not")
            if negated { position += 1 }
            guard isKeyword("null") else { throw ExpressionError(message: "expected 'null' after 'is'", offset: peek?.offset ?? length) }
            position += 1
            return .isNull(left, negated: negated)
        }
        if isKeyword("in") || (isKeyword("not") && isKeyword("in", at: 1)) {
            let negated = isKeyword("not")
            position += negated ? 2 : 1
            try expect("(")
            var list: [Expression] = [try additive()]
            while isSymbol(",") {
                position += 1
                list.append(try additive())
            }
            try expect(")")
            return .inList(left, list, negated: negated)
        }
        let operators: [String: Expression.Operator] = ["=": .equal, "==": .equal, "!=": .notEqual, "<>": .notEqual,
                                                       "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual]
        if let token = peek, token.kind == .symbol, let op = operators[token.text] {
            position += 1
            return .binary(op, left, try additive())
        }
        return left
    }

    mutating func additive() throws -> Expression {
        var left = try multiplicative()
        while isSymbol("+") || isSymbol("-") {
            let op: Expression.Operator = take()!.text == "+" ? .add : .subtract
            left = .binary(op, left, try multiplicative())
        }
        return left
    }

    mutating func multiplicative() throws -> Expression {
        var left = try unary()
        while isSymbol("*") || isSymbol("/") {
            let op: Expression.Operator = take()!.text == "*" ? .multiply : .divide
            left = .binary(op, left, try unary())
        }
        return left
    }

    mutating func unary() throws -> Expression {
        if isSymbol("-") {
            position += 1
            return .negate(try unary())
        }
        return try primary()
    }

    mutating func primary() throws -> Expression {
        guard let token = take() else { throw ExpressionError(message: "the expression ends too early", offset: length) }
        switch token.kind {
        case .number: return .literal(.number(Double(token.text)!))
        case .text: return .literal(.text(token.text))
        case .quotedName: return .column(token.text)
        case .symbol:
            guard token.text == "(" else { throw ExpressionError(message: "unexpected '\(token.text)'", offset: token.offset) }
            let inner = try expression()
            try expect(")")
            return inner
        case .name:
            switch token.text.lowercased() {
            case "null": return .literal(.null)
            case "true": return .literal(.boolean(true))
            case "false": return .literal(.boolean(false))
            case "and", "or", "not", "in", "is":
                throw ExpressionError(message: "unexpected '\(token.text)'", offset: token.offset)
            default: break
            }
            guard isSymbol("(") else { return .column(token.text) }
            guard let function = Expression.Function(rawValue: token.text.lowercased()) else {
                throw ExpressionError(message: "unknown function '\(token.text)' (expected \(Expression.Function.allCases.map(\.rawValue).joined(separator: ", ")))",
                                      offset: token.offset)
            }
            position += 1
            var arguments: [Expression] = []
            if !isSymbol(")") {
                arguments.append(try expression())
                while isSymbol(",") {
                    position += 1
                    arguments.append(try expression())
                }
            }
            try expect(")")
            let arity: ClosedRange<Int> = function == .coalesce ? 1...64 : (function == .round ? 1...2 : (function == .if ? 3...3 : 1...1))
            guard arity.contains(arguments.count) else {
                throw ExpressionError(message: "\(function.rawValue)() takes \(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)") argument\(arity.upperBound == 1 ? "" : "s")",
                                      offset: token.offset)
            }
            return .call(function, arguments)
        }
    }
}
