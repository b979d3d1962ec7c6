/// A growable byte buffer with the formatting routines the CSV writers need.
///
/// Everything is written as bytes straight into one allocation: integers, cents, dates and
/// timestamps are formatted with digit arithmetic, never through `String`, so a row costs no
/// allocation once the buffer has grown. A reference type: one buffer has one writer.
public final class ByteBuffer: @unchecked Sendable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    /// The number of bytes written.
    @usableFromInline var used = 0
    public var count: Int { used }
    /// The last day formatted by ``appendDate(_:)`` and its ten bytes, reused for the next row.
    private var cachedDay = Int.min
    private var cachedDate: (UInt64, UInt16) = (0, 0)

    public init(capacity: Int = 1 << 16) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// A copy of the bytes written so far.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: used)) }

    /// Calls `body` with the bytes written so far, without copying them.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: used))
    }

    /// Forgets the bytes, keeping the allocation.
    public func removeAll() { used = 0 }

    @inlinable @inline(__always)
    func reserve(_ extra: Int) {
        if used + extra > capacity { grow(used + extra) }
    }

    @usableFromInline
    func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: used)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inlinable @inline(__always)
    public func append(_ byte: UInt8) {
        reserve(1)
        base[used] = byte
        used += 1
    }

    /// Appends a static ASCII string (a literal).
    @inlinable
    public func append(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        reserve(length)
        (base + used).update(from: text.utf8Start, count: length)
        used += length
    }

    /// Appends bytes as they are (no quoting).
    public func append(raw text: [UInt8]) {
        reserve(text.count)
        text.withUnsafeBufferPointer { (base + used).update(from: $0.baseAddress!, count: $0.count) }
        used += text.count
    }

    /// Appends `text` as one CSV field, quoted per RFC 4180 when it holds a comma, quote or line break.
    public func appendField(_ text: [UInt8]) {
        var needsQuotes = false
        for byte in text where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 10 || byte == 13 {
            needsQuotes = true
            break
        }
        guard needsQuotes else {
            if !text.isEmpty { append(raw: text) }
            return
        }
        append(UInt8(ascii: "\""))
        for byte in text {
            if byte == UInt8(ascii: "\"") { append(byte) }
            append(byte)
        }
        append(UInt8(ascii: "\""))
    }

    /// Appends `text` as one CSV field (see ``appendField(_:)-([UInt8])``).
    public func appendField(_ text: String) {
        appendField(Array(text.utf8))
    }

    /// Appends a decimal integer.
    @inlinable
    public func append(int value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            append(unsigned: UInt64(-(value + 1)) + 1, width: 1)
        } else {
            append(unsigned: UInt64(value), width: 1)
        }
    }

    /// Appends `value` left-padded with zeros to `width` digits.
    @inlinable
    public func append(int value: Int, width: Int) {
        append(unsigned: UInt64(max(0, value)), width: width)
    }

    /// Appends `value` in decimal with at least `width` digits.
    @inlinable
    func append(unsigned value: UInt64, width: Int) {
        var digits = 1
        var limit: UInt64 = 10
        while value >= limit && digits < 20 {
            digits += 1
            if limit > UInt64.max / 10 { break }
            limit &*= 10
        }
        let length = max(digits, width)
        reserve(length)
        var position = used + length - 1
        var rest = value
        for _ in 0..<length {
            base[position] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
            rest /= 10
            position -= 1
        }
        used += length
    }

    /// Appends cents as a decimal amount with two places: 1234 -> "12.34", -5 -> "-0.05".
    @inlinable
    public func append(cents: Int) {
        var value = cents
        if value < 0 {
            append(UInt8(ascii: "-"))
            value = -value
        }
        append(unsigned: UInt64(value / 100), width: 1)
        reserve(3)
        base[used] = UInt8(ascii: ".")
        let fraction = value % 100
        base[used + 1] = UInt8(truncatingIfNeeded: fraction / 10) &+ 48
        base[used + 2] = UInt8(truncatingIfNeeded: fraction % 10) &+ 48
        used += 3
    }

    /// Appends `YYYY-MM-DD`.
    public func appendDate(_ date: CivilDate) {
        if date.dayNumber != cachedDay {
            let parts = date.components
            var text: (UInt64, UInt16) = (0, 0)
            withUnsafeMutableBytes(of: &text) { raw in
                let year = max(0, min(9_999, parts.year))
                raw[0] = UInt8(year / 1_000 + 48)
                raw[1] = UInt8(year / 100 % 10 + 48)
                raw[2] = UInt8(year / 10 % 10 + 48)
                raw[3] = UInt8(year % 10 + 48)
                raw[4] = UInt8(ascii: "-")
                raw[5] = UInt8(parts.month / 10 + 48)
                raw[6] = UInt8(parts.month % 10 + 48)
                raw[7] = UInt8(ascii: "-")
                raw[8] = UInt8(parts.day / 10 + 48)
                raw[9] = UInt8(parts.day % 10 + 48)
            }
            cachedDay = date.dayNumber
            cachedDate = text
        }
        reserve(10)
        Swift.withUnsafeBytes(of: &cachedDate) { raw in
            (base + used).update(from: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 10)
        }
        used += 10
    }

    /// Appends `YYYY-MM-DD HH:MM:SS`.
    public func appendTimestamp(_ moment: Timestamp) {
        appendDate(moment.date)
        let second = moment.secondOfDay
        reserve(9)
        let hours = second / 3_600
        let minutes = second / 60 % 60
        let seconds = second % 60
        base[used] = UInt8(ascii: " ")
        base[used + 1] = UInt8(truncatingIfNeeded: hours / 10) &+ 48
        base[used + 2] = UInt8(truncatingIfNeeded: hours % 10) &+ 48
        base[used + 3] = UInt8(ascii: ":")
        base[used + 4] = UInt8(truncatingIfNeeded: minutes / 10) &+ 48
        base[used + 5] = UInt8(truncatingIfNeeded: minutes % 10) &+ 48
        base[used + 6] = UInt8(ascii: ":")
        base[used + 7] = UInt8(truncatingIfNeeded: seconds / 10) &+ 48
        base[used + 8] = UInt8(truncatingIfNeeded: seconds % 10) &+ 48
        used += 9
    }

    /// Appends `true` or `false`.
    @inlinable
    public func append(bool value: Bool) {
        if value { append("true") } else { append("false") }
    }

    /// Writes `number` into the `width` digits that start at `offset` (zeros already in place).
    public func patchDigits(at offset: Int, number: Int, width: Int) {
        precondition(offset >= 0 && offset + width <= used)
        var value = number
        var position = offset + width - 1
        while value > 0 && position >= offset {
            base[position] = UInt8(truncatingIfNeeded: value % 10) &+ 48
            value /= 10
            position -= 1
        }
    }
}
