import DICOMCore
import DICOMFileSet
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The JSON value every report prints (DICOMCore's `JSON`), named here so the command line needs no lower module.
public typealias ReportJSON = JSON
/// A problem a report lists (DICOMFileSet's `FileSetProblem`: severity, stable code, File ID, rule).
public typealias ReportProblem = FileSetProblem

/// The command line's two streams (README "Command-line contract"): results on stdout, diagnostics
/// on stderr; with --json exactly one JSON document on stdout, also on failure.
public final class Console: Sendable {
    public static let shared = Console()

    private struct State {
        var printedDocument = false
        var lastError: String?
        var verbose = false
    }
    private let state = Mutex(State())

    /// Whether the run's JSON document was printed (a failure after it prints no second one).
    public var printedDocument: Bool { state.withLock { $0.printedDocument } }
    /// The last error line printed on stderr: the message of the `{"error": ...}` document.
    public var lastError: String? { state.withLock { $0.lastError } }
    /// `--verbose`: an error is followed by its cause chain, one line per error.
    public var verbose: Bool {
        get { state.withLock { $0.verbose } }
        set { state.withLock { $0.verbose = newValue } }
    }

    /// One diagnostic line on stderr (a newline added when missing); remembered as the last error.
    public func error(_ s: String) {
        state.withLock { $0.lastError = s }
        writeError(s)
    }

    /// An error that stopped the job: its one line (`description`, or `line` when given), and with
    /// --verbose each error of its cause chain with its code and source location.
    public func failure(_ error: any Error, line: String? = nil) {
        self.error(line ?? "\(error)")
        if verbose { for l in ErrorReport.chainLines(error) { writeError(l) } }
    }

    /// Prints one JSON document on stdout (at most one per run).
    public func document(_ j: JSON) {
        let first = state.withLock { s -> Bool in
            defer { s.printedDocument = true }
            return !s.printedDocument
        }
        if first { print(j.serialized(pretty: true)) }
    }

    /// Prints one JSON document given as its UTF-8 bytes (a newline added), as `document(_:)` does.
    public func document(utf8 bytes: [UInt8]) {
        let first = state.withLock { s -> Bool in
            defer { s.printedDocument = true }
            return !s.printedDocument
        }
        if first {
            write(bytes)
            write([UInt8(ascii: "\n")])
        }
    }

    /// A result on stdout (a newline added).
    public func result(_ s: String) { print(s) }

    /// Bytes on stdout as they are (after anything `print` left in the stdout buffer).
    public func write(_ bytes: [UInt8]) {
        fflush(nil)
        bytes.withUnsafeBytes { Self.writeAll(1, $0) }
    }

    private func writeError(_ s: String) {
        var line = s
        if !line.hasSuffix("\n") { line += "\n" }
        Self.writeAll(2, line)
    }

    /// Writes everything to the file descriptor (stderr is unbuffered, as C's `stderr` is); a
    /// failed write (a closed pipe) ends it.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, p, left)
            if n < 0 { if errno == EINTR { continue }; return }
            p += n; left -= n
        }
    }

    static func writeAll(_ fd: Int32, _ s: String) {
        var s = s
        s.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
    }

    /// Progress on stderr when it is a terminal (never in pipes or scripts).
    public static func progressPrinter() -> (@Sendable (String, Int, Int) -> Void)? {
        guard isatty(2) == 1 else { return nil }
        return { phase, done, total in
            writeAll(2, "\r\(phase) \(done)/\(total)\(done == total ? "\n" : "")")
        }
    }
}
