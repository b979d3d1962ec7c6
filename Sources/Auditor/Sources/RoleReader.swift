import Datasets
import TableIO

/// One field value as a source gives it, before it is typed.
enum Cell {
    case null
    case bytes(UnsafeBufferPointer<UInt8>)
    case number(Double)
    /// A SQLite integer, kept exact (an id of 2^53 or more is not a double).
    case integer(Int64)
    case text(String)
    /// An expression's value that is not a usable number (``ExpressionValue/invalid``).
    case invalid

    init(_ value: ExpressionValue) {
        switch value {
        case .null: self = .null
        case .invalid: self = .invalid
        case .number(let number): self = .number(number)
        case .text(let text): self = .text(text)
        case .boolean(let flag): self = .text(flag ? "true" : "false")
        }
    }

    var expressionValue: ExpressionValue {
        switch self {
        case .null: return .null
        case .bytes(let bytes): return .text(String(decoding: bytes, as: UTF8.self))
        case .number(let number): return .number(number)
        case .integer(let number): return Double(exactly: number).map { .number($0) } ?? .text(String(number))
        case .text(let text): return .text(text)
        case .invalid: return .invalid
        }
    }

    /// Calls `body` with the value's text as bytes (a number as SQLite would print it).
    func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        switch self {
        case .null, .invalid: return nil
        case .bytes(let bytes): return body(bytes)
        case .number(let number):
            var text = ExpressionValue.number(number).text ?? ""
            return text.withUTF8 { body($0) }
        case .integer(let number):
            var text = String(number)
            return text.withUTF8 { body($0) }
        case .text(var text): return text.withUTF8 { body($0) }
        }
    }

    var isInvalid: Bool {
        if case .invalid = self { return true }
        return false
    }

    /// Empty text counts as absent for times and amounts (an empty end date is an open subscription).
    var isAbsent: Bool {
        switch self {
        case .null: return true
        case .bytes(let bytes): return bytes.isEmpty
        case .text(let text): return text.isEmpty
        case .number, .integer, .invalid: return false
        }
    }
}

/// Columns a role's required fields read that its source lacks.
struct LackingColumns: Error {
    var items: [String]
}

/// Reads one role from its source through its mapping into a ``RoleTable``.
///
/// Only the columns the mapping reads are parsed. A plain column is typed straight from its
/// bytes; an expression or a value map goes through ``Expression``. A required field whose column
/// is missing stops the audit (exit 65, naming the table, the column and the mapping line); an
/// optional one is left out and its measures are skipped.
struct RoleReader {
    let inputs: InputSet
    let mapping: Mapping

    /// A field's plan: where its value comes from and how it is typed.
    private struct Slot {
        var name: String
        var kind: Field.Kind
        var field: FieldMapping
        /// Positions in the selected columns of the columns it reads, by name.
        var columns: [String: Int]
        var plain: Int?
    }

    /// A dimension table: its key (`id`) and attributes, read like a role with only those.
    func readDimension(_ name: String) throws -> RoleTable? {
        guard let dimension = mapping.dimensions[name] else { return nil }
        return try read(.subscribers, dimension, owner: "dimension \(name)")
    }

    func read(_ role: Role) throws -> RoleTable? {
        guard let roleMapping = mapping[role] else { return nil }
        return try read(role, roleMapping)
    }

    /// `owner` names what is read in messages: the role, or a dimension (read as a subscribers-like table).
    private func read(_ role: Role, _ roleMapping: RoleMapping, owner: String? = nil) throws -> RoleTable? {
        let owner = owner ?? role.rawValue
        switch roleMapping.source {
        case .table(let name):
            guard let table = try inputs.table(name) else {
                throw AuditError.invalidData("\(owner == role.rawValue ? "role " : "")\(owner) reads '\(name)' (\(mapping.path):\(roleMapping.line)), which no input holds; inputs have \(inputs.names.sorted().prefix(12).joined(separator: ", "))")
            }
            switch table.kind {
            case .csv(let path): return try readCSV(role, roleMapping, path: path, displayName: table.displayName, owner: owner)
            case .sqlite(let database, let name):
                let connection = inputs.databases[database].connection
                let columns = try connection.columnNames(of: name)
                let sql = "SELECT \(columns.map(SQLiteConnection.quoted).joined(separator: ", ")) FROM \(SQLiteConnection.quoted(name))"
                var table = try readSQLite(role, roleMapping, connection: connection, sql: sql, columns: columns, displayName: name, owner: owner)
                table.sizeBytes = nil
                return table
            }
        case .query(let sql):
            let place = "\(owner == role.rawValue ? "role " : "")\(owner) (\(mapping.path):\(roleMapping.line))"
            let connection: SQLiteConnection
            do {
                connection = try inputs.queryDatabase()
            } catch let error as AuditError {
                throw AuditError.invalidData("\(place): \(error)")
            }
            // Refused, invalid, or stopped at its time or memory limit, while preparing or reading.
            do {
                let statement = try connection.prepare(sql)
                let columns = (0..<statement.columnCount).map { statement.columnName($0) }
                return try readSQLite(role, roleMapping, connection: connection, sql: sql, columns: columns, displayName: "query of \(owner)", owner: owner)
            } catch let error as QueryError {
                throw AuditError.invalidData("\(place): \(error)")
            }
        }
    }

    /// The slots of the fields the source can give; fails on a required field it cannot.
    private func slots(_ role: Role, _ roleMapping: RoleMapping, columns: [String], source: String, owner: String,
                       table: inout RoleTable) throws -> [Slot] {
        var slots: [Slot] = []
        var lacking: [String] = []
        let positions = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let entries: [(String, Field.Kind, Bool, FieldMapping)] =
            role.fields.compactMap { field in roleMapping.fields[field.name].map { (field.name, field.kind, field.required, $0) } }
            + roleMapping.attributes.map { ($0.name, Field.Kind.category, false, $0.field) }
        for (name, kind, required, field) in entries {
            let absent = field.expression.columns.filter { positions[$0] == nil }
            guard absent.isEmpty else {
                if required {
                    let hint = MappingLoader.suggestion(absent[0], columns).map { " (did you mean '\($0)'?)" } ?? ""
                    var isQuery = false
                    if case .query = roleMapping.source { isQuery = true }
                    let field = (owner.hasPrefix("dimension ") ? String(owner.dropFirst(10)) : owner) + "." + name
                    lacking.append(isQuery
                        ? "column '\(absent[0])'\(hint) in the result of its query (which has \(columns.prefix(8).joined(separator: ", "))) for \(field)"
                        : "column \(source).\(absent[0])\(hint) for \(field)")
                } else {
                    table.missing.append(name)
                }
                continue
            }
            var slot = Slot(name: name, kind: kind, field: field, columns: [:])
            for column in field.expression.columns { slot.columns[column] = positions[column] }
            if let column = field.column, field.values.isEmpty { slot.plain = positions[column] }
            // A test names the column a field reads: its plain column, or the one column its expression reads.
            let read = Set(field.expression.columns)
            if let column = field.column ?? (read.count == 1 ? read.first : nil) { table.columnOf[name] = column }
            slots.append(slot)
        }
        guard lacking.isEmpty else { throw LackingColumns(items: lacking) }
        table.sourceColumns = columns
        return slots
    }

    private func readCSV(_ role: Role, _ roleMapping: RoleMapping, path: String, displayName: String, owner: String) throws -> RoleTable {
        let reader = try CSVReader(path: path, displayName: displayName)
        var table = RoleTable(role: role, source: displayName, mapping: roleMapping, labelWord: "line")
        let builder = Builder(try self.slots(role, roleMapping, columns: reader.header, source: displayName, owner: owner, table: &table), role: role)
        let filterColumns = try filterPositions(roleMapping, reader.header, displayName)
        try reader.forEachRow { row in
            add(&table, builder, filterColumns, label: row.line) { position in
                row.isNull(position) ? .null : .bytes(row[position])
            }
        }
        guard reader.rowCount > 0 else { throw CSVError(.headerOnly, file: displayName) }
        builder.finish(&table)
        table.sha256 = reader.sha256
        return table
    }

    private func readSQLite(_ role: Role, _ roleMapping: RoleMapping, connection: SQLiteConnection, sql: String, columns: [String],
                            displayName: String, owner: String) throws -> RoleTable {
        var table = RoleTable(role: role, source: displayName, mapping: roleMapping, labelWord: "row")
        let builder = Builder(try self.slots(role, roleMapping, columns: columns, source: displayName, owner: owner, table: &table), role: role)
        let filterColumns = try filterPositions(roleMapping, columns, displayName)
        let statement = try connection.prepare(sql)
        var number = 0
        while try statement.step() {
            number += 1
            add(&table, builder, filterColumns, label: number) { position in
                switch statement.kind(at: position) {
                case .null: return .null
                case .integer: return .integer(statement.integer(at: position))
                case .real: return .number(statement.double(at: position))
                // SQLite's buffer stays valid until the next step: the row is read by then.
                case .text: return .bytes(statement.unsafeBytes(at: position))
                }
            }
        }
        builder.finish(&table)
        return table
    }

    private func filterPositions(_ roleMapping: RoleMapping, _ columns: [String], _ source: String) throws -> [String: Int] {
        guard let filter = roleMapping.filter else { return [:] }
        var positions: [String: Int] = [:]
        for column in filter.columns {
            guard let position = columns.firstIndex(of: column) else {
                let hint = MappingLoader.suggestion(column, columns).map { " (did you mean '\($0)'?)" } ?? ""
                throw AuditError.invalidData("'\(source)' has no column '\(column)'\(hint), which the filter of \(roleMapping.sourceName) reads (\(mapping.path):\(roleMapping.line))")
            }
            positions[column] = position
        }
        return positions
    }

    /// The typed columns of one role as they fill, one array per field (the id first, so that a
    /// problem met in another field names its row by it); problems are noted once the ids are in.
    private final class Builder {
        let slots: [Slot]
        let nullable: [Bool]
        var times: [[Int64]]
        var amounts: [[Double]]
        var texts: [TextColumn]
        var notes: [(test: String, field: String, row: Int)] = []

        init(_ unordered: [Slot], role: Role) {
            slots = unordered.filter { $0.name == "id" } + unordered.filter { $0.name != "id" }
            nullable = slots.map { role.field($0.name)?.nullable == true }
            times = Array(repeating: [], count: slots.count)
            amounts = Array(repeating: [], count: slots.count)
            texts = Array(repeating: TextColumn(), count: slots.count)
        }

        func finish(_ table: inout RoleTable) {
            for (index, slot) in slots.enumerated() {
                switch slot.kind {
                case .time: table.times[slot.name] = times[index]
                case .amount: table.amounts[slot.name] = amounts[index]
                case .key, .reference, .category: table.texts[slot.name] = texts[index]
                }
            }
            for note in notes { table.note(note.test, note.field, note.row) }
        }
    }

    /// Adds one source row, if the filter keeps it.
    private func add(_ table: inout RoleTable, _ builder: Builder, _ filterColumns: [String: Int], label: Int, _ cell: (Int) -> Cell) {
        table.sourceRows += 1
        if let filter = table.mapping.filter {
            let keep = filter.evaluate { name in filterColumns[name].map { cell($0).expressionValue } ?? .null }
            guard keep.isTrue else { return }
        }
        let row = table.rows
        table.rows += 1
        table.rowLabels.append(Int32(clamping: label))
        for index in 0..<builder.slots.count {
            let value: Cell
            if let position = builder.slots[index].plain {
                value = cell(position)
            } else {
                let slot = builder.slots[index]
                var computed = slot.field.expression.evaluate { name in slot.columns[name].map { cell($0).expressionValue } ?? .null }
                if !slot.field.values.isEmpty, let text = computed.text, let mapped = slot.field.values[text] { computed = .text(mapped) }
                value = Cell(computed)
            }
            let slot = builder.slots[index]
            // A computed number the mapping cannot use is counted as such, whatever the field's kind.
            if value.isInvalid {
                builder.notes.append((slot.kind == .time ? (slot.field.format == .date ? "valid_date" : "valid_timestamp") : "valid_number",
                                      slot.name, row))
            }
            switch slot.kind {
            case .time:
                var seconds = noTime
                if value.isAbsent {
                    if !builder.nullable[index] { builder.notes.append(("not_null", slot.name, row)) }
                } else if let parsed = time(value, slot.field) {
                    seconds = parsed
                } else if !value.isInvalid {
                    builder.notes.append((slot.field.format == .date ? "valid_date" : "valid_timestamp", slot.name, row))
                }
                builder.times[index].append(seconds)
            case .amount:
                var amount = Double.nan
                if value.isAbsent {
                    builder.notes.append(("not_null", slot.name, row))
                } else if let parsed = number(value) {
                    amount = parsed
                } else if !value.isInvalid {
                    builder.notes.append(("valid_number", slot.name, row))
                }
                builder.amounts[index].append(amount)
            case .key, .reference, .category:
                let code = value.withBytes { builder.texts[index].dictionary.intern($0) }
                builder.texts[index].codes.append(Int32(code ?? -1))
                if code == nil && !value.isInvalid && !builder.nullable[index] && slot.kind != .category {
                    builder.notes.append(("not_null", slot.name, row))
                }
            }
        }
    }

    private func time(_ value: Cell, _ field: FieldMapping) -> Int64? {
        let zone = field.zone ?? mapping.timezone
        if field.format.isEpoch {
            if case .number(let number) = value { return field.format.seconds(number: number) }
            if case .integer(let number) = value { return field.format.seconds(number: Double(number)) }
        }
        return value.withBytes { field.format.seconds($0, zone: zone) } ?? nil
    }

    private func number(_ value: Cell) -> Double? {
        switch value {
        case .number(let number): return number.isFinite ? number : nil
        case .integer(let number): return Double(number)
        default:
            guard let parsed = value.withBytes({ ValueParsers.double($0) }) ?? nil, parsed.isFinite else { return nil }
            return parsed
        }
    }
}
