/// A CSV file that cannot be read as a table, with the place it went wrong.
///
/// Printed as `unterminated quote in 'pledges.csv' at line 812, column 4`: lines count
/// physical lines from 1 (a quoted field may span several), columns count fields from 1.
public struct CSVError: ReportableError, Equatable {
    public enum Kind: Equatable, Sendable {
        /// A malformed quoted field, or text after a closing quote (libcsv strict mode).
        case malformedQuote
        /// The file ended inside a quoted field.
        case unterminatedQuote
        /// A row with a different number of fields than the header.
        case raggedRow(expected: Int, found: Int)
        case nulByte
        case invalidUTF8
        /// No bytes at all, or nothing but a byte-order mark.
        case empty
        /// A header and no data rows.
        case headerOnly
        /// The header names a column twice, or an empty name.
        case badHeader(String)
        /// The file cannot be opened or read.
        case unreadable(errno: Int32)
        case missing
    }

    public var kind: Kind
    public var file: String
    public var line: Int
    public var column: Int

    public init(_ kind: Kind, file: String, line: Int = 0, column: Int = 0) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        let place = line > 0 ? " at line \(line), column \(column)" : ""
        switch kind {
        case .malformedQuote: return "malformed quoted field in '\(file)'\(place)"
        case .unterminatedQuote: return "unterminated quote in '\(file)'\(place)"
        case .raggedRow(let expected, let found):
            return "ragged row in '\(file)'\(place): expected \(expected) fields, found \(found)"
        case .nulByte: return "NUL byte in '\(file)'\(place)"
        case .invalidUTF8: return "invalid UTF-8 in '\(file)'\(place)"
        case .empty: return "empty file '\(file)': expected a header row"
        case .headerOnly: return "no data rows in '\(file)': only a header"
        case .badHeader(let reason): return "bad header in '\(file)': \(reason)"
        case .unreadable(let code): return "cannot read '\(file)': \(systemMessage(code))"
        case .missing: return "no such file '\(file)'"
        }
    }

    public var exitStatus: ExitStatus {
        switch kind {
        case .missing: return .noInput
        case .unreadable: return .ioError
        default: return .dataError
        }
    }
}
