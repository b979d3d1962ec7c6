import Foundation
import Testing
@testable import TableIO

@Suite("staged output")
struct StagedOutputTests {
    /// A fresh empty directory for one test.
    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "staged-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test("a committed file appears at the target and nothing else remains")
    func commitFile() throws {
        let directory = try Self.scratch()
        let target = directory + "/nested/out.db"
        let staged = try StagedOutput(target: target, kind: .file, force: false)
        #expect(FileManager.default.createFile(atPath: staged.temporaryPath, contents: Data("new".utf8)))
        #expect(!FileManager.default.fileExists(atPath: target))
        try staged.commit()
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        #expect(Self.entries(directory + "/nested") == ["out.db"])
    }

    @Test("an existing target is refused without force and left untouched")
    func refusesExisting() throws {
        let directory = try Self.scratch()
        let target = directory + "/out.db"
        _ = FileManager.default.createFile(atPath: target, contents: Data("old".utf8))
        #expect(throws: OutputError.exists(path: target)) {
            try StagedOutput(target: target, kind: .file, force: false)
        }
        #expect(OutputError.exists(path: target).exitStatus == .usage)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "old")
        #expect(Self.entries(directory) == ["out.db"])
    }

    @Test("with force the target is replaced")
    func forceReplaces() throws {
        let directory = try Self.scratch()
        let target = directory + "/out.db"
        _ = FileManager.default.createFile(atPath: target, contents: Data("old".utf8))
        let staged = try StagedOutput(target: target, kind: .file, force: true)
        _ = FileManager.default.createFile(atPath: staged.temporaryPath, contents: Data("new".utf8))
        try staged.commit()
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        #expect(Self.entries(directory) == ["out.db"])
    }

    @Test("a discarded or abandoned output leaves nothing behind")
    func discard() throws {
        let directory = try Self.scratch()
        let target = directory + "/out"
        do {
            let staged = try StagedOutput(target: target, kind: .directory, force: false)
            _ = FileManager.default.createFile(atPath: staged.temporaryPath + "/a.csv", contents: Data("x".utf8))
            staged.discard()
        }
        do {
            let staged = try StagedOutput(target: target, kind: .directory, force: false)
            _ = FileManager.default.createFile(atPath: staged.temporaryPath + "/b.csv", contents: Data("x".utf8))
            // Released without commit.
        }
        #expect(Self.entries(directory).isEmpty)
    }

    @Test("a directory replaces an existing directory whole with force")
    func replaceDirectory() throws {
        let directory = try Self.scratch()
        let target = directory + "/out"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: target + "/stale.csv", contents: Data("x".utf8))
        let staged = try StagedOutput(target: target, kind: .directory, force: true)
        _ = FileManager.default.createFile(atPath: staged.temporaryPath + "/fresh.csv", contents: Data("y".utf8))
        try staged.commit()
        #expect(Self.entries(target) == ["fresh.csv"])
        #expect(Self.entries(directory) == ["out"])
    }

    @Test("a file target that is a directory is refused")
    func wrongKind() throws {
        let directory = try Self.scratch()
        #expect(throws: OutputError.wrongKind(path: directory, expected: "file")) {
            try StagedOutput(target: directory, kind: .file, force: true)
        }
    }
}
