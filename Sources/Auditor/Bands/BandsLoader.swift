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
        case .invalid(let diagnostics):
            // One line: the first problem, and how many more `bands check` or `profile check` lists.
            guard let first = diagnostics.first else { return "invalid file" }
            let more = diagnostics.count - 1
            return first.description + (more > 0 ? " (and \(more) more problem\(more == 1 ? "" : "s"))" : "")
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
        let bytes: [UInt8]
        do {
            bytes = try InputFile.read(path)
        } catch let error as InputError where error.kind == .missing {
            throw BandsError.missing(path: path)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw BandsError.invalid([BandsDiagnostic(path: path, line: 1, message: "not UTF-8 text")])
        }
        let (file, diagnostics) = BandsParser.parse(text, path: path)
        guard let file, diagnostics.isEmpty else { throw BandsError.invalid(diagnostics) }
        return file
    }
}
