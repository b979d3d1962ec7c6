/// Fixed number formatting for summaries and reports: no locale, the same text on every machine.
public enum Format {
    /// `value` with exactly `digits` decimals, rounded half away from zero ("12.50", "-0.30").
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return String(value) }
        let whole = Int(scaled)
        let divisor = Int(scale)
        let integerPart = whole / divisor
        let fraction = whole % divisor
        var text = String(integerPart)
        if digits > 0 {
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return (value < 0 && whole != 0 ? "-" : "") + text
    }

    /// A fraction as a percentage with one decimal: 0.6234 -> "62.3%".
    public static func percent(_ fraction: Double, digits: Int = 1) -> String {
        fixed(fraction * 100, digits) + "%"
    }

    /// An integer with thousands separators: 1245678 -> "1,245,678".
    public static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var result = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return (value < 0 ? "-" : "") + result
    }

    /// Cents as whole dollars with separators: 12345678 -> "$123,457".
    public static func dollars(cents: Int) -> String {
        let rounded = (Double(cents) / 100).rounded(.toNearestOrAwayFromZero)
        return (rounded < 0 ? "-$" : "$") + grouped(abs(Int(rounded)))
    }
}
