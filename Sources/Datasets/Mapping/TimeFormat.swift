import Foundation
import TableIO

/// How a time field is written in the source, and in which zone a time without an offset is.
///
/// - `auto`: ISO 8601 forms (`2024-03-05`, `2024-03-05 14:30:00`, `T`, fractional seconds, `Z`
///   or `+02:00`).
/// - `date`: a calendar date `YYYY-MM-DD` (its data test is `valid_date`).
/// - `epoch_s`, `epoch_ms`: seconds or milliseconds since 1970-01-01 UTC.
/// - a pattern with `%Y %y %m %d %H %I %M %S %f %p %b %z %%` (`%d-%m-%Y`, `%m/%d/%Y %I:%M %p`);
///   numeric parts take one or two digits where two are written.
public enum TimeFormat: Sendable, Equatable, CustomStringConvertible {
    case auto
    case date
    case epochSeconds
    case epochMilliseconds
    case pattern(String, [Part])

    public enum Part: Sendable, Equatable {
        case literal(UInt8)
        case year4, year2, month, day, hour24, hour12, minute, second, fraction, meridiem, monthName, offset
    }

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .date: return "date"
        case .epochSeconds: return "epoch_s"
        case .epochMilliseconds: return "epoch_ms"
        case .pattern(let text, _): return text
        }
    }

    /// Reads a format as a mapping writes it; nil with the reason when it is not one.
    public static func parse(_ text: String) -> Result<TimeFormat, ExpressionError> {
        switch text {
        case "auto", "iso", "iso8601": return .success(.auto)
        case "date", "%Y-%m-%d": return .success(.date)
        case "epoch_s", "epoch", "unix", "epoch_seconds": return .success(.epochSeconds)
        case "epoch_ms", "epoch_milliseconds": return .success(.epochMilliseconds)
        default: break
        }
        var parts: [Part] = []
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == 37 else {
                parts.append(.literal(bytes[index]))
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { return .failure(ExpressionError(message: "a format ends with a lone '%'", offset: index)) }
            let directives: [UInt8: Part] = [89: .year4, 121: .year2, 109: .month, 100: .day, 72: .hour24, 73: .hour12, 77: .minute,
                                             83: .second, 102: .fraction, 112: .meridiem, 98: .monthName, 122: .offset, 37: .literal(37)]
            guard let part = directives[bytes[index + 1]] else {
                return .failure(ExpressionError(message: "unknown directive '%\(Character(UnicodeScalar(bytes[index + 1])))' in a time format (expected %Y %y %m %d %H %I %M %S %f %p %b %z %%, or auto, date, epoch_s, epoch_ms)",
                                                offset: index))
            }
            parts.append(part)
            index += 2
        }
        guard parts.contains(.year4) || parts.contains(.year2), parts.contains(.month) || parts.contains(.monthName), parts.contains(.day) else {
            return .failure(ExpressionError(message: "time format '\(ExpressionError.shown(text))' needs a year, a month and a day", offset: 0))
        }
        return .success(.pattern(text, parts))
    }

    /// Seconds since 1970-01-01 UTC, or nil when the bytes are not a time in this format.
    /// `zone` applies to times written without an offset.
    /// The moments a time may be: 0001-01-01 00:00:00 to 9999-12-31 23:59:59 UTC, the years a
    /// calendar date has four digits for. A year 0 or 10000, in text or as an epoch number, is not
    /// a time the mapping can use: it fails `valid_timestamp` (or `valid_date`).
    public static let representable: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// Seconds since 1970-01-01 UTC from a field's text, or nil if the text is not a time of this
    /// format within ``representable``.
    public func seconds(_ bytes: UnsafeBufferPointer<UInt8>, zone: TimeZoneRule) -> Int64? {
        guard let value = anySeconds(bytes, zone: zone), TimeFormat.representable.contains(value) else { return nil }
        return value
    }

    private func anySeconds(_ bytes: UnsafeBufferPointer<UInt8>, zone: TimeZoneRule) -> Int64? {
        switch self {
        case .auto, .date:
            if self == .date && bytes.count != 10 { return nil }
            guard let value = ValueParsers.timestamp(bytes) else { return nil }
            // A date without a time of day is that calendar day, in any zone.
            return TimeFormat.hasOffset(bytes) || bytes.count == 10 ? value : zone.utc(fromLocal: value)
        case .epochSeconds, .epochMilliseconds:
            guard let number = ValueParsers.double(bytes) else { return nil }
            return seconds(number: number)
        case .pattern(_, let parts):
            guard let (local, offset) = TimeFormat.read(bytes, parts) else { return nil }
            if let offset { return local - offset }
            // A pattern without an hour writes calendar days: no zone applies.
            guard parts.contains(.hour24) || parts.contains(.hour12) else { return local }
            return zone.utc(fromLocal: local)
        }
    }

    /// Seconds since 1970-01-01 UTC from a stored number (epoch formats only).
    public func seconds(number: Double) -> Int64? {
        guard number.isFinite else { return nil }
        let value = self == .epochMilliseconds ? (number / 1000).rounded(.down) : number.rounded(.down)
        guard abs(value) < 1e14, TimeFormat.representable.contains(Int64(value)) else { return nil }
        return Int64(value)
    }

    /// Whether the format reads numbers (epoch seconds or milliseconds).
    public var isEpoch: Bool { self == .epochSeconds || self == .epochMilliseconds }

    static func hasOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard count > 19 else { return false }
        if bytes[count - 1] == 90 { return true }
        return count >= 25 && (bytes[count - 6] == 43 || bytes[count - 6] == 45) && bytes[count - 3] == 58
    }

    static let monthNames: [[UInt8]] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map { Array($0.utf8) }

    /// Local seconds (as if UTC) and the written offset, if any.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, _ parts: [Part]) -> (Int64, Int64?)? {
        var index = 0
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        var pm: Bool?
        var offset: Int64?
        func number(_ maximumDigits: Int, minimumDigits: Int = 1) -> Int? {
            var value = 0
            var digits = 0
            while digits < maximumDigits && index < bytes.count && bytes[index] >= 48 && bytes[index] <= 57 {
                value = value * 10 + Int(bytes[index] - 48)
                index += 1
                digits += 1
            }
            return digits >= minimumDigits ? value : nil
        }
        for part in parts {
            switch part {
            case .literal(let byte):
                guard index < bytes.count, bytes[index] == byte else { return nil }
                index += 1
            case .year4: guard let value = number(4, minimumDigits: 4) else { return nil }; year = value
            case .year2: guard let value = number(2, minimumDigits: 2) else { return nil }; year = value < 69 ? 2000 + value : 1900 + value
            case .month: guard let value = number(2) else { return nil }; month = value
            case .day: guard let value = number(2) else { return nil }; day = value
            case .hour24, .hour12: guard let value = number(2) else { return nil }; hour = value
            case .minute: guard let value = number(2) else { return nil }; minute = value
            case .second: guard let value = number(2) else { return nil }; second = value
            case .fraction: guard number(9) != nil else { return nil }
            case .meridiem:
                guard index + 1 < bytes.count else { return nil }
                let first = bytes[index] | 0x20
                guard (first == 97 || first == 112) && (bytes[index + 1] | 0x20) == 109 else { return nil }
                pm = first == 112
                index += 2
            case .monthName:
                guard index + 3 <= bytes.count else { return nil }
                let word = (0..<3).map { bytes[index + $0] | 0x20 }
                guard let found = monthNames.firstIndex(of: word) else { return nil }
                month = found + 1
                index += 3
                while index < bytes.count && ((bytes[index] | 0x20) >= 97 && (bytes[index] | 0x20) <= 122) { index += 1 }
            case .offset:
                guard index < bytes.count else { return nil }
                if bytes[index] == 90 {
                    offset = 0
                    index += 1
                    continue
                }
                guard bytes[index] == 43 || bytes[index] == 45 else { return nil }
                let sign: Int64 = bytes[index] == 43 ? 1 : -1
                index += 1
                guard let hours = number(2, minimumDigits: 2) else { return nil }
                if index < bytes.count && bytes[index] == 58 { index += 1 }
                // Offsets in use run from -12:00 to +14:00; +99:99 is not one.
                guard let minutes = number(2, minimumDigits: 2), hours <= 14, minutes < 60 else { return nil }
                offset = sign * Int64(hours * 3_600 + minutes * 60)
            }
        }
        guard index == bytes.count else { return nil }
        if let pm {
            guard hour >= 1 && hour <= 12 else { return nil }
            hour = hour % 12 + (pm ? 12 : 0)
        }
        guard month >= 1, month <= 12, day >= 1, day <= CivilDate.daysIn(year: year, month: month),
              hour < 24, minute < 60, second < 61 else { return nil }
        let days = Int64(CivilDate(year: year, month: month, day: day).dayNumber)
        return (days * 86_400 + Int64(hour * 3_600 + minute * 60 + second), offset)
    }
}

/// The zone of times written without an offset: UTC, a fixed offset, or a named zone
/// (`Europe/Berlin`, with its daylight-saving rules).
public enum TimeZoneRule: Sendable, Equatable, CustomStringConvertible {
    case utc
    case fixed(Int64)
    case named(String)

    public var description: String {
        switch self {
        case .utc: return "UTC"
        case .fixed(let seconds):
            let sign = seconds < 0 ? "-" : "+"
            let minutes = abs(seconds) / 60
            return "\(sign)\(minutes / 60 < 10 ? "0" : "")\(minutes / 60):\(minutes % 60 < 10 ? "0" : "")\(minutes % 60)"
        case .named(let name): return name
        }
    }

    /// What ``parse(_:)`` accepts, for messages.
    public static let accepted = "(UTC, Z, an offset +HH:MM, +HHMM or +HH up to 14 hours, or a zone name such as Europe/Berlin)"

    /// Reads `UTC`, `Z`, an offset `+02:00`, `-0530` or `+05` (hours up to 14, minutes under 60,
    /// as ISO 8601 and real zones have them) or a zone name; nil when it is none of them.
    public static func parse(_ text: String) -> TimeZoneRule? {
        if text == "UTC" || text == "Z" || text == "utc" { return .utc }
        let bytes = Array(text.utf8)
        if let first = bytes.first, first == 43 || first == 45 {
            let rest = Array(bytes.dropFirst())
            let digits: [UInt8]
            switch rest.count {
            case 2, 4: digits = rest
            case 5 where rest[2] == 58: digits = [rest[0], rest[1], rest[3], rest[4]]
            default: return nil
            }
            guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            let values = digits.map { Int64($0 - 48) }
            let hours = values[0] * 10 + values[1], minutes = values.count == 4 ? values[2] * 10 + values[3] : 0
            guard hours <= 14, minutes < 60, hours * 60 + minutes <= 14 * 60 else { return nil }
            let seconds = (hours * 3_600 + minutes * 60) * (first == 43 ? 1 : -1)
            return seconds == 0 ? .utc : .fixed(seconds)
        }
        // A name of the zone database: a letter, then letters, digits and _ + - /. Foundation
        // would also take offsets spelt "GMT+5" or "UTC+1", whose sign the zone database reverses.
        guard let first = bytes.first, first | 0x20 >= 97 && first | 0x20 <= 122,
              bytes.allSatisfy({ ($0 | 0x20 >= 97 && $0 | 0x20 <= 122) || ($0 >= 48 && $0 <= 57) || [95, 43, 45, 47].contains($0) }),
              !(bytes.count > 3 && ["GMT", "UTC"].contains(String(decoding: bytes.prefix(3), as: UTF8.self)) && [43, 45].contains(bytes[3])) else { return nil }
        return TimeZone(identifier: text) == nil ? nil : .named(text)
    }

    /// UTC seconds of a local time given as seconds.
    public func utc(fromLocal local: Int64) -> Int64 {
        switch self {
        case .utc: return local
        case .fixed(let offset): return local - offset
        case .named(let name):
            guard let zone = TimeZone(identifier: name) else { return local }
            let first = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local))))
            let second = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local - first))))
            return local - second
        }
    }
}
