import Datasets
import TableIO

/// A text column of a role table: each row's value as a code into a dictionary of the distinct
/// values (-1 where the value is null).
struct TextColumn {
    var dictionary = ByteInterner(capacity: 64)
    var codes: [Int32] = []

    func text(_ row: Int) -> String? {
        let code = codes[row]
        return code < 0 ? nil : dictionary.string(Int(code))
    }

    /// The distinct values, by code.
    var values: [String] { (0..<dictionary.count).map { dictionary.string($0) } }

    /// For each code of this column, the code of the same bytes in `other` (-1 where absent):
    /// joins by key compare each distinct value once, never a `String` per row.
    func translation(to other: ByteInterner) -> [Int32] {
        if dictionary.sharesStorage(with: other) { return (0..<Int32(dictionary.count)).map { $0 } }
        return (0..<dictionary.count).map { code in Int32(dictionary.withBytes(code) { other.lookup($0) } ?? -1) }
    }
}

/// The up to five smallest keys of the rows failing a test (what a sorted SQL query's first
/// five rows would give), kept without holding every failing key.
struct SampleKeys {
    private(set) var keys: [String] = []
    private(set) var count = 0

    mutating func add(_ key: String) {
        count += 1
        if keys.count == 5 {
            guard let last = keys.last, key < last else { return }
            keys.removeLast()
        }
        let position = keys.firstIndex { key < $0 } ?? keys.count
        keys.insert(key, at: position)
    }
}

/// One role of a dataset, read from its source through its mapping, column by column: times
/// in seconds since 1970 UTC (``noTime`` where absent or unreadable), amounts as numbers (NaN
/// where absent or unreadable), everything else as text codes.
struct RoleTable {
    let role: Role
    /// The table or file name, as data tests name it.
    let source: String
    let mapping: RoleMapping
    var rows = 0
    /// Rows in the source, before the filter.
    var sourceRows = 0
    /// Each row's label in messages: "(line N)" of a CSV file, "(row N)" of a table.
    var rowLabels: [Int32] = []
    let labelWord: String
    var times: [String: [Int64]] = [:]
    var amounts: [String: [Double]] = [:]
    var texts: [String: TextColumn] = [:]
    /// The source column each plain-column field reads, and the source's column order.
    var columnOf: [String: String] = [:]
    var sourceColumns: [String] = []
    /// Fields whose column the source lacks (optional fields only; their measures are skipped).
    var missing: [String] = []
    /// Value-level problems met while reading, by "test|field".
    var problems: [String: SampleKeys] = [:]
    var sha256: String?
    var sizeBytes: Int?

    init(role: Role, source: String, mapping: RoleMapping, labelWord: String) {
        self.role = role
        self.source = source
        self.mapping = mapping
        self.labelWord = labelWord
    }

    /// Whether the field (or attribute) was read.
    func has(_ field: String) -> Bool { times[field] != nil || amounts[field] != nil || texts[field] != nil }

    /// The key of row `row` as data tests show it: its id, else its line or row number.
    func key(_ row: Int) -> String {
        texts["id"]?.text(row) ?? label(row)
    }

    func label(_ row: Int) -> String { "(\(labelWord) \(rowLabels[row]))" }

    /// What data tests call the field: its source column, else the field's name.
    func columnName(_ field: String) -> String { columnOf[field] ?? field }

    mutating func note(_ test: String, _ field: String, _ row: Int) {
        problems[test + "|" + field, default: SampleKeys()].add(key(row))
    }
}
