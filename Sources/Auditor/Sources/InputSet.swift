import Foundation
import TableIO

/// The tables an audit can read, from every input given: the tables of each SQLite database,
/// the CSV files of each folder, and single CSV files. A role's `from` names one of them by its
/// table name, its file name or its file name without `.csv`.
final class InputSet {
    enum Kind {
        case sqlite(database: Int, table: String)
        case csv(path: String)
    }

    struct Table {
        /// The table name, or the file name without `.csv`.
        var name: String
        /// What messages and data tests call it: the table name, or the file name.
        var displayName: String
        var kind: Kind
    }

    private(set) var databases: [(path: String, connection: SQLiteConnection)] = []
    private(set) var tables: [Table] = []
    /// The CSV folders given, for files beside the data (anomalies.json).
    private(set) var folders: [String] = []
    /// The connection for the mapping's queries, opened at the first one.
    private var queryConnection: SQLiteConnection?

    /// Opens every input; a path that is neither a SQLite database, a folder nor a CSV file is a usage error.
    init(_ paths: [String]) throws {
        for path in paths {
            if InputFile.isDirectory(path) {
                folders.append(path)
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                for file in names.sorted() where file.lowercased().hasSuffix(".csv") && !file.hasPrefix(".") {
                    tables.append(Table(name: String(file.dropLast(4)), displayName: file,
                                        kind: .csv(path: path.hasSuffix("/") ? path + file : path + "/" + file)))
                }
            } else if path.lowercased().hasSuffix(".csv") {
                let file = (path as NSString).lastPathComponent
                tables.append(Table(name: String(file.dropLast(4)), displayName: file, kind: .csv(path: path)))
            } else {
                // Anything else is opened as a SQLite database: one that is not gets SQLite's own one-line error.
                let connection = try SQLiteConnection(path: path, mode: .readOnly)
                databases.append((path, connection))
                for table in try connection.tableNames(includingViews: true) {
                    tables.append(Table(name: table, displayName: table, kind: .sqlite(database: databases.count - 1, table: table)))
                }
            }
        }
    }

    /// Whether the file begins with the SQLite header (an empty file is not a database).
    static func isSQLite(_ path: String) -> Bool {
        guard !InputFile.isDirectory(path), let (descriptor, _) = try? InputFile.open(path) else { return false }
        defer { close(descriptor) }
        var header = [UInt8](repeating: 0, count: 16)
        let count = header.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 16) }
        return count == 16 && header == Array("SQLite format 3\u{0}".utf8)
    }

    /// The names a mapping's `detect` and `from` can match.
    var names: Set<String> { Set(tables.flatMap { [$0.name, $0.displayName] }) }

    /// The table called `name` (exact table name, file name, or file name without `.csv`).
    func table(_ name: String) throws -> Table? {
        let matches = tables.filter { $0.name == name || $0.displayName == name }
        guard matches.count <= 1 else {
            throw AuditError.unsupported("'\(name)' names \(matches.count) inputs (\(matches.map(\.displayName).joined(separator: ", "))); give only one of them")
        }
        return matches.first
    }

    /// The connection a mapping's queries run on: the only SQLite input, opened once more for
    /// them alone, so that each is checked and bounded (``SQLiteConnection/init(userQueriesOn:limits:)``)
    /// while the built-in reads keep the plain connection.
    ///
    /// - Throws: ``AuditError/unsupported(_:)`` without exactly one SQLite input,
    ///   ``QueryLimitsError`` for a malformed `SYNTHAUDIT_QUERY_SECONDS` or `SYNTHAUDIT_QUERY_MEMORY_MB`.
    func queryDatabase() throws -> SQLiteConnection {
        guard databases.count == 1 else {
            throw AuditError.unsupported(databases.isEmpty ? "a role given as a query needs a SQLite input"
                                         : "a role given as a query runs on one SQLite input, not \(databases.count)")
        }
        if let queryConnection { return queryConnection }
        let connection = try SQLiteConnection(userQueriesOn: databases[0].path, limits: try QueryLimits.fromEnvironment())
        queryConnection = connection
        return connection
    }
}
