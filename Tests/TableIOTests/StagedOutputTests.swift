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

    @Test("a directory replaces an existing output directory (only files it writes) whole with force")
    func replaceDirectory() throws {
        let directory = try Self.scratch()
        let target = directory + "/out"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: target + "/stale.csv", contents: Data("x".utf8))
        let staged = try StagedOutput(target: target, kind: .directory, force: true,
                                      owned: StagedOutput.Ownership { $0.hasSuffix(".csv") })
        _ = FileManager.default.createFile(atPath: staged.temporaryPath + "/fresh.csv", contents: Data("y".utf8))
        try staged.commit()
        #expect(Self.entries(target) == ["fresh.csv"])
        #expect(Self.entries(directory) == ["out"])
    }

    @Test("a file target that is a directory is refused")
    func wrongKind() throws {
        let directory = try Self.scratch()
        #expect(throws: OutputError.notReplaceable(path: directory, reason: "it is a directory, not the file this command writes")) {
            try StagedOutput(target: directory, kind: .file, force: true)
        }
    }

    @Test("a leftover of a dead run is removed; one whose lock is held (a live run elsewhere) is kept")
    func staleAndLocked() throws {
        let directory = try Self.scratch()
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/sh")
        ended.arguments = ["-c", "exit 0"]
        try ended.run()
        ended.waitUntilExit()
        let dead = directory + "/.out.tmp-\(ended.processIdentifier)-1"
        let live = directory + "/.out.tmp-\(ended.processIdentifier)-2"
        try FileManager.default.createDirectory(atPath: dead, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: false)
        let held = StagedOutput.holdLock(live)
        #expect(held >= 0)
        // The lock must belong to another open file description, as another process's would.
        #expect(StagedOutput.isHeld(live))
        let staged = try StagedOutput(target: directory + "/out", kind: .directory, force: false)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
        staged.discard()
        close(held)
        #expect(!StagedOutput.isHeld(live))
    }

    @Test("force never replaces a directory of other files, a FIFO, a link or an input; without force a race has one winner")
    func consent() throws {
        let directory = try Self.scratch()
        let foreign = directory + "/foreign"
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: foreign + "/notes.txt", contents: Data("keep".utf8))
        #expect(throws: OutputError.notReplaceable(path: foreign, reason: "it holds files this command does not write ('notes.txt')")) {
            try StagedOutput(target: foreign, kind: .directory, force: true, owned: StagedOutput.Ownership { $0 == "report.json" })
        }
        _ = FileManager.default.createFile(atPath: directory + "/other.db", contents: Data("not a database".utf8))
        #expect(throws: OutputError.notReplaceable(path: directory + "/other.db", reason: "it is a file this command did not write")) {
            try StagedOutput(target: directory + "/other.db", kind: .file, force: true,
                             owned: StagedOutput.Ownership(signature: Array("SQLite format 3\0".utf8)))
        }
        #expect(mkfifo(directory + "/pipe", 0o644) == 0)
        #expect(throws: OutputError.notReplaceable(path: directory + "/pipe", reason: "it is a FIFO, not the file this command writes")) {
            try StagedOutput(target: directory + "/pipe", kind: .file, force: true)
        }
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: "x")
        #expect(throws: OutputError.notReplaceable(path: directory + "/link", reason: "it is a symbolic link")) {
            try StagedOutput(target: directory + "/link", kind: .file, force: true)
        }
        #expect(throws: OutputError.notReplaceable(path: foreign, reason: "it is an input of this command, or holds one ('\(foreign)/notes.txt')")) {
            try StagedOutput(target: foreign, kind: .directory, force: true, owned: StagedOutput.Ownership { _ in true },
                             inputs: [foreign + "/notes.txt"])
        }
        // Two stagings of one new target: the second commit finds the first in place.
        let first = try StagedOutput(target: directory + "/new", kind: .file, force: false)
        let second = try StagedOutput(target: directory + "/new", kind: .file, force: false)
        try first.commit()
        #expect(throws: OutputError.exists(path: directory + "/new")) { try second.commit() }
        second.discard()
        #expect(FileManager.default.fileExists(atPath: directory + "/new"))
    }
}
