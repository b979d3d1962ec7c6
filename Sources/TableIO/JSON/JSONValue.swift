/// A JSON document, serialized deterministically: object keys sorted, numbers in a fixed format,
/// two-space indentation and `\n` line ends, so that two runs produce the same bytes.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer, written without a decimal point.
    case integer(Int)
    /// A real number, written with up to `digits` decimals, trailing zeros removed.
    case number(Double, digits: Int = 6)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The serialized document, ending with a newline.
    public func serialized() -> String {
        var output = ""
        write(into: &output, indent: 0)
        output.append("\n")
        return output
    }

    private func write(into output: inout String, indent: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .number(let value, let digits): output += JSONValue.format(value, digits: digits)
        case .string(let value): JSONValue.quote(value, into: &output)
        case .array(let values):
            guard !values.isEmpty else { output += "[]"; return }
            if values.allSatisfy(\.isScalar) && values.count <= 8 {
                output += "["
                for (offset, value) in values.enumerated() {
                    if offset > 0 { output += ", " }
                    value.write(into: &output, indent: indent)
                }
                output += "]"
                return
            }
            output += "[\n"
            for (offset, value) in values.enumerated() {
                output += String(repeating: " ", count: indent + 2)
                value.write(into: &output, indent: indent + 2)
                output += offset + 1 < values.count ? ",\n" : "\n"
            }
            output += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            guard !members.isEmpty else { output += "{}"; return }
            output += "{\n"
            let keys = members.keys.sorted()
            for (offset, key) in keys.enumerated() {
                output += String(repeating: " ", count: indent + 2)
                JSONValue.quote(key, into: &output)
                output += ": "
                members[key]!.write(into: &output, indent: indent + 2)
                output += offset + 1 < keys.count ? ",\n" : "\n"
            }
            output += String(repeating: " ", count: indent) + "}"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// A finite number with at most `digits` decimals and no trailing zeros; NaN and infinities as null.
    static func format(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "null" }
        var text = Format.fixed(value, digits)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    static func quote(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
