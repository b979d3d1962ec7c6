/// Parsers of CSV field bytes into values: timestamps, dates, decimal amounts, integers and
/// booleans, without going through `String`.
///
/// Each returns `nil` for bytes it cannot read, so that the caller can count the row as a
/// value-level integrity failure (a bad date in one row) rather than stop.
public enum ValueParsers {
    /// Seconds since 1970-01-01 UTC from `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS`, either
    /// with fractional seconds and a trailing `Z` or `+00:00`, or a bare `YYYY-MM-DD` (midnight).
    /// Other offsets are applied (`+02:00` is two hours ahead of UTC).
    @inlinable
    public static func timestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        let count = bytes.count
        if count == 19, let base = bytes.baseAddress, let fast = plainTimestamp(base) { return fast }
        guard count >= 10, bytes[4] == 45, bytes[7] == 45,
              let year = digits(bytes, 0, 4), let month = digits(bytes, 5, 2), let day = digits(bytes, 8, 2),
              month >= 1, month <= 12, day >= 1
        else { return nil }
        let days: Int64
        let slot = (year - MonthTable.firstYear) * 12 + month - 1
        if slot >= 0 && slot < MonthTable.months {
            // Years 1900-2199 from a table of month starts (the row loops parse millions of these).
            let table = MonthTable.starts
            let start = table[slot]
            guard day <= Int(table[slot + 1] - start) else { return nil }
            days = Int64(start) + Int64(day - 1)
        } else {
            guard day <= CivilDate.daysIn(year: year, month: month) else { return nil }
            days = Int64(CivilDate(year: year, month: month, day: day).dayNumber)
        }
        if count == 10 { return days * 86_400 }
        guard count >= 19, bytes[10] == 32 || bytes[10] == 84, bytes[13] == 58, bytes[16] == 58,
              let hour = digits(bytes, 11, 2), let minute = digits(bytes, 14, 2), let second = digits(bytes, 17, 2),
              hour < 24, minute < 60, second < 61
        else { return nil }
        var position = 19
        if position < count && bytes[position] == 46 {
            position += 1
            let start = position
            while position < count && bytes[position] >= 48 && bytes[position] <= 57 { position += 1 }
            if position == start { return nil }
        }
        var offset: Int64 = 0
        if position < count {
            if bytes[position] == 90 && position + 1 == count {
                position += 1
            } else if (bytes[position] == 43 || bytes[position] == 45) && position + 6 == count && bytes[position + 3] == 58,
                      let hours = digits(bytes, position + 1, 2), let minutes = digits(bytes, position + 4, 2) {
                offset = Int64(hours * 3_600 + minutes * 60) * (bytes[position] == 43 ? 1 : -1)
                position = count
            } else {
                return nil
            }
        }
        return days * 86_400 + Int64(hour * 3_600 + minute * 60 + second) - offset
    }

    /// A decimal amount in cents: `12.34`, `12.3`, `12`, `-0.05`, `+7.00`; at most two decimals.
    @inlinable
    public static func cents(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var position = 0
        let count = bytes.count
        guard count > 0 else { return nil }
        var negative = false
        if bytes[0] == 45 || bytes[0] == 43 {
            negative = bytes[0] == 45
            position = 1
        }
        var whole = 0
        var digitsSeen = 0
        while position < count, bytes[position] >= 48, bytes[position] <= 57 {
            whole = whole * 10 + Int(bytes[position] - 48)
            digitsSeen += 1
            position += 1
            if digitsSeen > 15 { return nil }
        }
        var fraction = 0
        var fractionDigits = 0
        if position < count && bytes[position] == 46 {
            position += 1
            while position < count, bytes[position] >= 48, bytes[position] <= 57 {
                guard fractionDigits < 2 else { return nil }
                fraction = fraction * 10 + Int(bytes[position] - 48)
                fractionDigits += 1
                position += 1
            }
        }
        guard position == count, digitsSeen + fractionDigits > 0 else { return nil }
        if fractionDigits == 1 { fraction *= 10 }
        let value = whole * 100 + fraction
        return negative ? -value : value
    }

    /// A decimal number: digits, an optional fraction and exponent (`1`, `-2.5`, `3e-4`).
    public static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !bytes.isEmpty, bytes.count < 64 else { return nil }
        for byte in bytes {
            switch byte {
            case 48...57, 43, 45, 46, 69, 101: continue
            default: return nil
            }
        }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// A decimal integer with an optional sign.
    @inlinable
    public static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var position = 0
        var negative = false
        guard !bytes.isEmpty else { return nil }
        if bytes[0] == 45 || bytes[0] == 43 {
            negative = bytes[0] == 45
            position = 1
        }
        guard position < bytes.count, bytes.count - position <= 18 else { return nil }
        var value = 0
        while position < bytes.count {
            let byte = bytes[position]
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
            position += 1
        }
        return negative ? -value : value
    }

    /// `true` / `false` in any case, and `1` / `0`.
    @inlinable
    public static func boolean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        switch bytes.count {
        case 1:
            if bytes[0] == 49 { return true }
            if bytes[0] == 48 { return false }
            return nil
        case 4:
            return bytes[0] | 0x20 == 116 && bytes[1] | 0x20 == 114 && bytes[2] | 0x20 == 117 && bytes[3] | 0x20 == 101 ? true : nil
        case 5:
            return bytes[0] | 0x20 == 102 && bytes[1] | 0x20 == 97 && bytes[2] | 0x20 == 108 && bytes[3] | 0x20 == 115
                && bytes[4] | 0x20 == 101 ? false : nil
        default:
            return nil
        }
    }

    /// `YYYY-MM-DD HH:MM:SS` (or with `T`) for the years of the month table, read without loops;
    /// nil for anything else, which the general parser then reads (and rejects if it must).
    @inlinable @inline(__always)
    static func plainTimestamp(_ base: UnsafePointer<UInt8>) -> Int64? {
        @inline(__always) func digit(_ index: Int) -> Int { Int(base[index]) &- 48 }
        let values = (digit(0), digit(1), digit(2), digit(3), digit(5), digit(6), digit(8), digit(9),
                      digit(11), digit(12), digit(14), digit(15), digit(17), digit(18))
        var bad = 0
        withUnsafeBytes(of: values) { raw in
            for index in 0..<14 where UInt(bitPattern: raw.load(fromByteOffset: index * 8, as: Int.self)) > 9 { bad = 1 }
        }
        guard bad == 0, base[4] == 45, base[7] == 45, base[10] == 32 || base[10] == 84, base[13] == 58, base[16] == 58 else { return nil }
        let year = values.0 * 1000 + values.1 * 100 + values.2 * 10 + values.3
        let month = values.4 * 10 + values.5
        let day = values.6 * 10 + values.7
        let hour = values.8 * 10 + values.9
        let minute = values.10 * 10 + values.11
        let second = values.12 * 10 + values.13
        let slot = (year - MonthTable.firstYear) * 12 + month - 1
        guard month >= 1, month <= 12, day >= 1, slot >= 0, slot < MonthTable.months, hour < 24, minute < 60, second < 61 else { return nil }
        let table = MonthTable.starts
        let start = table[slot]
        guard day <= Int(table[slot + 1] - start) else { return nil }
        return (Int64(start) + Int64(day - 1)) * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
    }

    @inlinable
    static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) -> Int? {
        var value = 0
        for index in start..<start + length {
            let byte = bytes[index]
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
}

/// The day number of the first day of every month of 1900-2199, and of January 2200.
@usableFromInline
enum MonthTable {
    @usableFromInline static let firstYear = 1900
    @usableFromInline static let months = 300 * 12
    @usableFromInline static let starts: [Int32] = (0...months).map { index in
        Int32(CivilDate(year: firstYear + index / 12, month: index % 12 + 1, day: 1).dayNumber)
    }
}
