/// Why an output could not be written.
public enum OutputError: ReportableError, Equatable {
    /// The target exists and the command was not given `--force`.
    case exists(path: String)
    /// The target exists and is a directory where a file is expected, or the reverse.
    case wrongKind(path: String, expected: String)
    /// The target exists and is not something `--force` may replace (a device, a link, a
    /// folder of other files, an input of the command), with the reason.
    case notReplaceable(path: String, reason: String)
    /// A system call failed.
    case system(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .exists(let path):
            return "'\(path)' already exists; pass --force to replace it"
        case .notReplaceable(let path, let reason):
            return "will not write '\(path)': \(reason)"
        case .wrongKind(let path, let expected):
            return "'\(path)' exists but is not a \(expected)"
        case .system(let operation, let path, let code):
            return "cannot \(operation) '\(path)': \(systemMessage(code))"
        }
    }

    public var exitStatus: ExitStatus {
        switch self {
        case .exists, .notReplaceable: return .usage
        case .wrongKind, .system: return .ioError
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func systemMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}
