import Foundation
import TableIO

/// Where the creator-economy tables are read from: a folder of CSV files, or the tables of a
/// SQLite database named like the files without `.csv` (`pledges.csv` is table `pledges`).
enum CreatorsSource: Sendable {
    case folder(String)
    case database(path: String, tables: Set<String>)

    /// The database at `path`, with its table names.
    static func database(_ path: String) throws -> CreatorsSource {
        let connection = try SQLiteConnection(path: path, mode: .readOnly)
        return .database(path: path, tables: Set(try connection.tableNames(includingViews: true)))
    }

    static func table(_ file: String) -> String { file.hasSuffix(".csv") ? String(file.dropLast(4)) : file }

    /// Whether the source holds `file` (a dangling link in a folder counts, to be reported).
    func exists(_ file: String) -> Bool {
        switch self {
        case .folder(let directory): return InputFile.exists(directory + "/" + file)
        case .database(_, let tables): return tables.contains(Self.table(file))
        }
    }

    /// What messages call `file`: its path, or the table in the database.
    func name(_ file: String) -> String {
        switch self {
        case .folder(let directory): return directory + "/" + file
        case .database(let path, _): return "\(path):\(Self.table(file))"
        }
    }

    /// The rows of `file`; `handoff` lets another thread finish a CSV file's digest.
    func open(_ file: String, handoff: DigestHandoff? = nil) throws -> any RowStream {
        switch self {
        case .folder(let directory): return try CSVReader(path: directory + "/" + file, displayName: file, handoff: handoff)
        case .database(let path, _): return try SQLiteRowStream(path: path, table: Self.table(file), displayName: Self.table(file))
        }
    }

    /// Where an `anomalies.json` beside the data would be.
    var groundTruthPath: String {
        switch self {
        case .folder(let directory): return directory + "/anomalies.json"
        case .database(let path, _): return ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("anomalies.json")
        }
    }
}
