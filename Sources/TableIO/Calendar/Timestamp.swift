/// A UTC moment with one-second resolution, stored as seconds since 1970-01-01 00:00:00.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    /// Midnight at the start of `date`, plus `seconds`.
    public init(_ date: CivilDate, seconds: Int64 = 0) {
        self.seconds = Int64(date.dayNumber) * 86_400 + seconds
    }

    /// The last second of `date` (23:59:59).
    public static func endOfDay(_ date: CivilDate) -> Timestamp {
        Timestamp(date, seconds: 86_399)
    }

    /// The calendar day of the moment.
    public var date: CivilDate {
        CivilDate(dayNumber: Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400))
    }

    /// Seconds since midnight.
    public var secondOfDay: Int {
        let value = Int(seconds % 86_400)
        return value < 0 ? value + 86_400 : value
    }

    public var yearMonth: YearMonth { date.yearMonth }

    public func adding(seconds delta: Int64) -> Timestamp { Timestamp(seconds: seconds + delta) }
    public func adding(days: Double) -> Timestamp { Timestamp(seconds: seconds + Int64((days * 86_400).rounded(.down))) }

    /// `YYYY-MM-DD HH:MM:SS`.
    public var description: String {
        let buffer = ByteBuffer(capacity: 19)
        buffer.appendTimestamp(self)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.seconds < rhs.seconds }
}
