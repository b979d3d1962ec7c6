import Foundation
import TableIO

/// Why a bands file cannot be used.
public enum BandsError: ReportableError, Equatable {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    /// The file was read, and these problems were found in it.
    case invalid([BandsDiagnostic])

    public var description: String {
        switch self {
        case .missing(let path): return "no such bands file '\(path)'"
        case .unreadable(let path, let reason): return "cannot read bands file '\(path)': \(reason)"
        case .invalid(let diagnostics): return diagnostics.map(\.description).joined(separator: "\n")
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .missing: return .noInput
        case .unreadable: return .ioError
        case .invalid: return .dataError
        }
    }
}

/// Loads bands files from disk.
public enum BandsLoader {
    /// Reads and validates the bands file at `path`.
    public static func load(path: String) throws -> BandsFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw BandsError.missing(path: path)
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
            throw BandsError.unreadable(path: path, reason: isDirectory.boolValue ? "it is a directory" : "read failed")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BandsError.invalid([BandsDiagnostic(path: path, line: 1, message: "not UTF-8 text")])
        }
        let (file, diagnostics) = BandsParser.parse(text, path: path)
        guard let file, diagnostics.isEmpty else { throw BandsError.invalid(diagnostics) }
        return file
    }
}
