/// The lexer and the recursive-descent parser of ``Expression``.

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
