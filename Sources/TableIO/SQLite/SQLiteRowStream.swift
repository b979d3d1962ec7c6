import CSQLite

/// Rows of a table, field by field as bytes, whatever stores them: a CSV file (``CSVReader``)
/// or a SQLite table (``SQLiteRowStream``). Readers written against it read either.
public protocol RowStream: AnyObject {
    /// The column names, in order.
    var header: [String] { get }
    /// The name shown in messages.
    var displayName: String { get }
    /// Data rows read so far.
    var rowCount: Int { get }
    /// The digest of the file read, when the stream computes one.
    var sha256: String? { get }
    /// Calls `body` with each row; its bytes are valid only during the call.
    func forEachRow(_ body: (CSVRow) throws -> Void) throws
}

extension CSVReader: RowStream {}

/// The rows of one SQLite table as ``CSVRow``s: each field as the text SQLite gives it (a number
/// as SQLite prints it), NULL as a null field. Opens its own read-only connection, so that two
/// streams can run on two threads.
///
/// - Complexity: O(rows); memory is one row.
public final class SQLiteRowStream: RowStream {
    public let header: [String]
    public let displayName: String
    public private(set) var rowCount = 0
    public var sha256: String? { nil }
    private let connection: SQLiteConnection
    private let statement: SQLiteStatement

    /// The table `table` of the database at `path`.
    public init(path: String, table: String, displayName: String? = nil) throws {
        connection = try SQLiteConnection(path: path, mode: .readOnly)
        header = try connection.columnNames(of: table)
        statement = try connection.prepare("SELECT \(header.map(SQLiteConnection.quoted).joined(separator: ", ")) FROM \(SQLiteConnection.quoted(table))")
        self.displayName = displayName ?? table
    }

    public func forEachRow(_ body: (CSVRow) throws -> Void) throws {
        let count = header.count
        var arena: [UInt8] = []
        var offsets = [Int](repeating: 0, count: count + 1)
        var nulls = [Bool](repeating: false, count: count)
        while try statement.step() {
            rowCount += 1
            arena.removeAll(keepingCapacity: true)
            for index in 0..<count {
                offsets[index] = arena.count
                nulls[index] = statement.kind(at: index) == .null
                if !nulls[index] { statement.withBytes(at: index) { arena.append(contentsOf: $0) } }
            }
            offsets[count] = arena.count
            if arena.isEmpty { arena.append(0) }
            try arena.withUnsafeBufferPointer { bytes in
                try offsets.withUnsafeBufferPointer { offsetBuffer in
                    try nulls.withUnsafeBufferPointer { nullBuffer in
                        try body(CSVRow(base: bytes.baseAddress!, offsets: offsetBuffer.baseAddress!, nulls: nullBuffer.baseAddress!,
                                        count: count, line: rowCount + 1))
                    }
                }
            }
        }
    }
}
