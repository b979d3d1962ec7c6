/// The process exit statuses of every `synthaudit` command.
///
/// They follow the BSD `sysexits.h` convention where one applies, so that scripts
/// can tell a failed check from bad input from an I/O problem.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Everything succeeded (warnings allowed unless `--strict`).
    case success = 0
    /// A check or an integrity test failed.
    case checkFailed = 1
    /// The report drifted from its golden copy.
    case goldenDrift = 2
    /// The command line was wrong (`EX_USAGE`), including an existing output without `--force`.
    case usage = 64
    /// The input data is malformed (`EX_DATAERR`).
    case dataError = 65
    /// An input file or table does not exist (`EX_NOINPUT`).
    case noInput = 66
    /// Reading or writing failed (`EX_IOERR`).
    case ioError = 74
}

/// An error that knows which exit status it maps to and how to say itself in one line.
public protocol ReportableError: Error, CustomStringConvertible {
    /// The exit status the command should end with.
    var exitStatus: ExitStatus { get }
}
