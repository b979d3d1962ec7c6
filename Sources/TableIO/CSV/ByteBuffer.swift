/// A growable byte buffer with the formatting routines the CSV writers need.
///
/// Everything is written as bytes: integers, cents, dates and timestamps are formatted with
/// digit tables, never through `String`, so a row costs no allocation once the buffer has grown.
public struct ByteBuffer: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    @inlinable
    public mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends a static ASCII string (a literal).
    @inlinable
    public mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends the UTF-8 bytes of `text` as they are (no quoting).
    @inlinable
    public mutating func append(raw text: [UInt8]) {
        bytes.append(contentsOf: text)
    }

    /// Appends `text` as one CSV field, quoted per RFC 4180 when it holds a comma, quote or line break.
    public mutating func appendField(_ text: [UInt8]) {
        var needsQuotes = false
        for byte in text where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 10 || byte == 13 {
            needsQuotes = true
            break
        }
        guard needsQuotes else {
            bytes.append(contentsOf: text)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        for byte in text {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `text` as one CSV field (see ``appendField(_:)-([UInt8])``).
    public mutating func appendField(_ text: String) {
        appendField(Array(text.utf8))
    }

    /// Appends a decimal integer.
    @inlinable
    public mutating func append(int value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(unsigned: UInt64(-(value + 1)) + 1)
        } else {
            append(unsigned: UInt64(value))
        }
    }

    @inlinable
    mutating func append(unsigned value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                     UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            let slots = raw.bindMemory(to: UInt64.self)
            while rest > 0 {
                slots[count] = rest % 10
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) {
                bytes.append(UInt8(truncatingIfNeeded: slots[index]) &+ 48)
            }
        }
    }

    /// Appends `value` left-padded with zeros to `width` digits.
    @inlinable
    public mutating func append(int value: Int, width: Int) {
        var digits = 1
        var limit = 10
        while value >= limit && digits < 19 {
            digits += 1
            limit &*= 10
        }
        for _ in digits..<max(digits, width) { bytes.append(48) }
        append(unsigned: UInt64(value))
    }

    /// Appends cents as a decimal amount with two places: 1234 -> "12.34", -5 -> "-0.05".
    @inlinable
    public mutating func append(cents: Int) {
        var value = cents
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            value = -value
        }
        append(unsigned: UInt64(value / 100))
        bytes.append(UInt8(ascii: "."))
        let fraction = value % 100
        bytes.append(UInt8(truncatingIfNeeded: fraction / 10) &+ 48)
        bytes.append(UInt8(truncatingIfNeeded: fraction % 10) &+ 48)
    }

    /// Appends `YYYY-MM-DD`.
    public mutating func appendDate(_ date: CivilDate) {
        let parts = date.components
        append(int: parts.year, width: 4)
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(parts.month)
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(parts.day)
    }

    /// Appends `YYYY-MM-DD HH:MM:SS`.
    public mutating func appendTimestamp(_ moment: Timestamp) {
        appendDate(moment.date)
        let second = moment.secondOfDay
        bytes.append(UInt8(ascii: " "))
        appendTwoDigits(second / 3_600)
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(second / 60 % 60)
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(second % 60)
    }

    @inlinable
    mutating func appendTwoDigits(_ value: Int) {
        bytes.append(UInt8(truncatingIfNeeded: value / 10) &+ 48)
        bytes.append(UInt8(truncatingIfNeeded: value % 10) &+ 48)
    }

    /// Appends `true` or `false`.
    @inlinable
    public mutating func append(bool value: Bool) {
        if value { append("true") } else { append("false") }
    }
}
