import Foundation
import Testing
import CSQLite
@testable import TableIO

@Suite("SQLite layer")
struct SQLiteConnectionTests {
    static func path() -> String { NSTemporaryDirectory() + "sqlite-\(UUID().uuidString).db" }

    @Test("values round-trip through bind and column")
    func roundTrip() throws {
        let db = try SQLiteConnection(path: Self.path(), mode: .create)
        try db.execute("CREATE TABLE t (a, b, c, d)")
        try db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)").execute([.integer(7), .real(2.5), .text("é"), .null])
        let rows = try db.query("SELECT a, b, c, d FROM t")
        #expect(rows == [[.integer(7), .real(2.5), .text("é"), .null]])
        #expect(try db.scalar("SELECT COUNT(*) FROM t") == .integer(1))
        #expect(try db.tableNames() == ["t"])
        #expect(try db.columnNames(of: "t") == ["a", "b", "c", "d"])
    }

    @Test("an error names its code, message and the SQL")
    func errorsNameTheStatement() throws {
        let db = try SQLiteConnection(path: Self.path(), mode: .create)
        try db.execute("CREATE TABLE t (x INTEGER CHECK (x > 0))")
        let insert = try db.prepare("INSERT INTO t VALUES (?1)")
        do {
            try insert.execute([.integer(-1)])
            Issue.record("a CHECK violation must throw")
        } catch let error as SQLiteError {
            #expect(error.code & 0xFF == SQLITE_CONSTRAINT)
            #expect(error.description.contains("CHECK constraint failed"))
            #expect(error.description.contains("while executing 'INSERT INTO t VALUES (?1)'"))
            #expect(error.exitStatus == .dataError)
        }
        #expect(throws: SQLiteError.self) { try db.prepare("SELEC 1") }
    }

    @Test("a transaction rolls back when its body throws")
    func rollback() throws {
        struct Stop: Error {}
        let db = try SQLiteConnection(path: Self.path(), mode: .create)
        try db.execute("CREATE TABLE t (x)")
        #expect(throws: Stop.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES (1)")
                throw Stop()
            }
        }
        #expect(try db.scalar("SELECT COUNT(*) FROM t") == .integer(0))
    }

    @Test("a file that is not a database, a truncated one and a missing one are told apart")
    func badFiles() throws {
        let text = Self.path()
        try Data("just,some,csv\n1,2,3\n".utf8).write(to: URL(fileURLWithPath: text))
        #expect {
            try SQLiteConnection(path: text, mode: .readOnly)
        } throws: { error in
            (error as? SQLiteError)?.code == SQLITE_NOTADB && (error as? SQLiteError)?.exitStatus == .dataError
        }

        let full = Self.path()
        do {
            let db = try SQLiteConnection(path: full, mode: .create)
            try db.execute("CREATE TABLE t (x); INSERT INTO t VALUES (randomblob(20000));")
            for _ in 0..<5 { try db.execute("INSERT INTO t SELECT randomblob(20000) FROM t") }
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: full))
        let truncated = Self.path()
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: truncated))
        #expect {
            let db = try SQLiteConnection(path: truncated, mode: .readOnly)
            _ = try db.query("SELECT COUNT(*), SUM(length(x)) FROM t")
        } throws: { error in
            (error as? SQLiteError)?.exitStatus == .dataError
        }

        #expect {
            try SQLiteConnection(path: Self.path(), mode: .readOnly)
        } throws: { error in
            (error as? InputError)?.exitStatus == .noInput
        }
    }
}
