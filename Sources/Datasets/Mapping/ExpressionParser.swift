/// The lexer and the recursive-descent parser of ``Expression``.

import TableIO

extension Expression {
    /// The most characters an expression may have: 10,000.
    ///
    /// The longest expression of the examples and built-in profiles is under 100 characters; a
    /// `status in (...)` list of a few hundred values still fits. The lexer refuses longer text
    /// before it makes an array of it, so a hostile megabyte costs a count of bytes, and the
    /// parser never sees more than 10,000 tokens.
    public static let maximumLength = 10_000

    /// How deep an expression may nest: 64 levels.
    ///
    /// Each parenthesis, function call, `[not] in (...)` list, unary minus and `not` is one level
    /// around what it encloses, and each operator of a chain one more level above its left side
    /// (`a + b + c` is two deep: the tree of a chain leans left). Real mappings stay under ten.
    /// The parser counts levels before it recurses and refuses the one past the limit, so the
    /// parse, and every recursive walk of the tree it returns (``columns``, ``evaluate(_:)``, `==`,
    /// its release), stays inside a 512 KiB secondary-thread stack: 64 parentheses, the deepest
    /// recursion (eight parser frames a level), take under 100 KiB optimized and about 350 KiB in
    /// a debug build.
    public static let maximumDepth = 64
}

extension ExpressionError {
    static func tooLong(at offset: Int) -> ExpressionError {
        ExpressionError(message: "the expression is longer than \(grouped(Expression.maximumLength)) characters", offset: offset)
    }

    static func tooDeep(at offset: Int) -> ExpressionError {
        ExpressionError(message: "the expression nests deeper than \(grouped(Expression.maximumDepth)) levels", offset: offset)
    }

    /// `text` to quote in a message: one printable line (control characters escaped, as
    /// `Console.printable` writes them), at most 40 characters of it.
    static func shown(_ text: String) -> String {
        var result = ""
        for character in text {
            let piece = Console.printable(String(character))
            if result.count + piece.count > 40 { return result + "..." }
            result += piece
        }
        return result
    }

    static func grouped(_ number: Int) -> String {
        var digits = String(number)
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: digits.index(digits.startIndex, offsetBy: index))
            index -= 3
        }
        return digits
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
        // Refuse overlong text before making an array of it: its UTF-8 length costs nothing, and
        // only when that is over the limit are characters counted, up to one past it.
        if source.utf8.count > Expression.maximumLength {
            var count = 0
            for _ in source {
                if count == Expression.maximumLength { throw ExpressionError.tooLong(at: count) }
                count += 1
            }
        }
        let characters = Array(source)
        var tokens: [ExpressionToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == " " || character == "\t" || character == "\n" || character == "\r" || character == "\r\n" {
                index += 1
                continue
            }
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
                guard Double(text) != nil else { throw ExpressionError(message: "'\(ExpressionError.shown(text))' is not a number", offset: start) }
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
                    throw ExpressionError(message: "unexpected character '\(ExpressionError.shown(String(character)))'", offset: start)
                }
            }
        }
        return tokens
    }
}

/// Recursive descent, one function per precedence level, lowest first.
///
/// Every recursion into a sub-expression (parentheses, a call's arguments, an in-list, unary
/// minus, `not`) first counts one level of `nesting`, and every node built carries the depth of
/// its tree; either past ``Expression/maximumDepth`` is refused before going further.
struct ExpressionParser {
    /// A parsed sub-expression and the depth of its tree: 0 for a term, one more per node above.
    struct Node {
        var expression: Expression
        var depth: Int
    }

    var tokens: [ExpressionToken]
    var length: Int
    var position = 0
    /// How many sub-expressions the parser is inside: the depth of its recursion.
    var nesting = 0

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

    /// Where the parser stands, for an error: the next token, or the end of the text.
    var offset: Int { peek?.offset ?? length }

    mutating func expect(_ symbol: String) throws {
        guard isSymbol(symbol) else {
            throw ExpressionError(message: "expected '\(symbol)'" + (peek.map { " before '\(ExpressionError.shown($0.text))'" } ?? " at the end"),
                                  offset: offset)
        }
        position += 1
    }

    /// One level deeper into a sub-expression; balanced by `nesting -= 1` when it is read.
    mutating func enter(at offset: Int) throws {
        guard nesting < Expression.maximumDepth else { throw ExpressionError.tooDeep(at: offset) }
        nesting += 1
    }

    /// A node above `children`, refused past the depth limit.
    func node(_ expression: Expression, above children: Int, at offset: Int) throws -> Node {
        guard children < Expression.maximumDepth else { throw ExpressionError.tooDeep(at: offset) }
        return Node(expression: expression, depth: children + 1)
    }

    /// The whole expression: all of the tokens.
    mutating func expression() throws -> Expression {
        let whole = try or()
        if let token = peek { throw ExpressionError(message: "unexpected '\(ExpressionError.shown(token.text))'", offset: token.offset) }
        return whole.expression
    }

    mutating func or() throws -> Node {
        var left = try and()
        while isKeyword("or") {
            let at = offset
            position += 1
            let right = try and()
            left = try node(.binary(.or, left.expression, right.expression), above: max(left.depth, right.depth), at: at)
        }
        return left
    }

    mutating func and() throws -> Node {
        var left = try not()
        while isKeyword("and") {
            let at = offset
            position += 1
            let right = try not()
            left = try node(.binary(.and, left.expression, right.expression), above: max(left.depth, right.depth), at: at)
        }
        return left
    }

    mutating func not() throws -> Node {
        if isKeyword("not") && !isKeyword("in", at: 1) {
            let at = offset
            try enter(at: at)
            defer { nesting -= 1 }
            position += 1
            let inner = try not()
            return try node(.not(inner.expression), above: inner.depth, at: at)
        }
        return try comparison()
    }

    static let comparisons: [String: Expression.Operator] = ["=": .equal, "==": .equal, "!=": .notEqual, "<>": .notEqual,
                                                            "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual]

    // The functions on the way down to a parenthesis (`or` to `primary`) keep their frames small:
    // what does not recurse, and every message, lives in functions of its own.

    mutating func comparison() throws -> Node {
        let left = try additive()
        if isKeyword("is") { return try isNull(left) }
        if isKeyword("in") || (isKeyword("not") && isKeyword("in", at: 1)) { return try inList(left) }
        guard let token = peek, token.kind == .symbol, let op = Self.comparisons[token.text] else { return left }
        position += 1
        let right = try additive()
        return try node(.binary(op, left.expression, right.expression), above: max(left.depth, right.depth), at: token.offset)
    }

    @inline(never)
    mutating func isNull(_ left: Node) throws -> Node {
        let at = offset
        position += 1
        let negated = isKeyword("not")
        if negated { position += 1 }
        guard isKeyword("null") else { throw ExpressionError(message: "expected 'null' after 'is'", offset: offset) }
        position += 1
        return try node(.isNull(left.expression, negated: negated), above: left.depth, at: at)
    }

    @inline(never)
    mutating func inList(_ left: Node) throws -> Node {
        let at = offset
        let negated = isKeyword("not")
        position += negated ? 2 : 1
        try expect("(")
        try enter(at: at)
        defer { nesting -= 1 }
        var depth = left.depth
        var list: [Expression] = []
        repeat {
            if !list.isEmpty { position += 1 }
            let item = try additive()
            list.append(item.expression)
            depth = max(depth, item.depth)
        } while isSymbol(",")
        try expect(")")
        return try node(.inList(left.expression, list, negated: negated), above: depth, at: at)
    }

    mutating func additive() throws -> Node {
        var left = try multiplicative()
        while let token = peek, token.kind == .symbol, token.text == "+" || token.text == "-" {
            position += 1
            let right = try multiplicative()
            left = try node(.binary(token.text == "+" ? .add : .subtract, left.expression, right.expression),
                            above: max(left.depth, right.depth), at: token.offset)
        }
        return left
    }

    mutating func multiplicative() throws -> Node {
        var left = try unary()
        while let token = peek, token.kind == .symbol, token.text == "*" || token.text == "/" {
            position += 1
            let right = try unary()
            left = try node(.binary(token.text == "*" ? .multiply : .divide, left.expression, right.expression),
                            above: max(left.depth, right.depth), at: token.offset)
        }
        return left
    }

    mutating func unary() throws -> Node {
        if isSymbol("-") {
            let at = offset
            try enter(at: at)
            defer { nesting -= 1 }
            position += 1
            let inner = try unary()
            return try node(.negate(inner.expression), above: inner.depth, at: at)
        }
        return try primary()
    }

    mutating func primary() throws -> Node {
        guard let token = take() else { throw ExpressionError(message: "the expression ends too early", offset: length) }
        if token.kind == .symbol && token.text == "(" {
            try enter(at: token.offset)
            defer { nesting -= 1 }
            let inner = try or()
            try expect(")")
            return inner
        }
        if token.kind == .name && isSymbol("(") && !Self.keywords.contains(token.text.lowercased()) { return try call(token) }
        return try term(token)
    }

    static let keywords: Set<String> = ["null", "true", "false", "and", "or", "not", "in", "is"]

    /// A number, a text, a column or a constant; an error for any other token.
    @inline(never)
    func term(_ token: ExpressionToken) throws -> Node {
        switch token.kind {
        case .number:
            guard let number = Double(token.text) else {
                throw ExpressionError(message: "'\(ExpressionError.shown(token.text))' is not a number", offset: token.offset)
            }
            return Node(expression: .literal(.number(number)), depth: 0)
        case .text: return Node(expression: .literal(.text(token.text)), depth: 0)
        case .quotedName: return Node(expression: .column(token.text), depth: 0)
        case .symbol: throw ExpressionError(message: "unexpected '\(token.text)'", offset: token.offset)
        case .name:
            switch token.text.lowercased() {
            case "null": return Node(expression: .literal(.null), depth: 0)
            case "true": return Node(expression: .literal(.boolean(true)), depth: 0)
            case "false": return Node(expression: .literal(.boolean(false)), depth: 0)
            case "and", "or", "not", "in", "is":
                throw ExpressionError(message: "unexpected '\(token.text)'", offset: token.offset)
            default: return Node(expression: .column(token.text), depth: 0)
            }
        }
    }

    /// A function call, `name` read and `(` next.
    @inline(never)
    mutating func call(_ name: ExpressionToken) throws -> Node {
        guard let function = Expression.Function(rawValue: name.text.lowercased()) else { throw Self.unknownFunction(name) }
        position += 1
        try enter(at: name.offset)
        defer { nesting -= 1 }
        var depth = 0
        var arguments: [Expression] = []
        if !isSymbol(")") {
            repeat {
                if !arguments.isEmpty { position += 1 }
                let argument = try or()
                arguments.append(argument.expression)
                depth = max(depth, argument.depth)
            } while isSymbol(",")
        }
        try expect(")")
        let arity: ClosedRange<Int> = function == .coalesce ? 1...64 : (function == .round ? 1...2 : (function == .if ? 3...3 : 1...1))
        guard arity.contains(arguments.count) else { throw Self.arityError(function, arity, at: name.offset) }
        return try node(.call(function, arguments), above: depth, at: name.offset)
    }

    static func unknownFunction(_ name: ExpressionToken) -> ExpressionError {
        ExpressionError(message: "unknown function '\(ExpressionError.shown(name.text))' (expected \(Expression.Function.allCases.map(\.rawValue).joined(separator: ", ")))",
                        offset: name.offset)
    }

    static func arityError(_ function: Expression.Function, _ arity: ClosedRange<Int>, at offset: Int) -> ExpressionError {
        let count = arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)"
        return ExpressionError(message: "\(function.rawValue)() takes \(count) argument\(arity.upperBound == 1 ? "" : "s")", offset: offset)
    }
}
