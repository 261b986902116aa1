/// The error domain of DICOMCore: its lock (``LockFile``).
public enum CoreErrorDomain: ErrorDomain {
    /// `busy`: the message alone (it names what is locked); anything else `path: message`.
    public static func describe(_ error: CoreError) -> String {
        error.code == .busy ? error.message : error.standardDescription
    }
}

/// The one error of DICOMCore: another process holds a lock (`busy`, the holder's "pid N since T"
/// in `context.component`), or a lock file cannot be opened or taken (`lock-failed`, the errno as
/// a `SystemErrno` cause). Codes in Generated/ErrorCodes.swift, from docs/DIAGNOSTICS.md.
public typealias CoreError = CodedError<CoreErrorDomain>

extension CoreError {
    /// Another process holds the lock of `what` ("File-set", "store") at `path`; `holder` is its
    /// "pid N since T", nil when unknown (shared holders).
    static func busy(what: String, path: String, holder: String?, file: String = #fileID, line: Int = #line) -> CoreError {
        CoreError(
            .busy, "\(what) busy (locked by \(holder ?? "another process")); try again later or pass a longer --wait",
            context: ErrorContext(path: path, component: holder), file: file, line: line)
    }

    /// "pid N since T" of the process holding a lock (`busy`), when it wrote one.
    public var holder: String? { context.component }
}
