import DICOMCore
import FileSystem

/// The error domain of the store.
public enum StoreErrorDomain: ErrorDomain {}

/// An error of the store: its code, what failed, on which path, and the error that caused it kept
/// whole: GRDB's `DatabaseError` with its SQLite result code, the `SystemErrno` of a failed system
/// call, DICOMCore's lock errors. Codes in Generated/ErrorCodes.swift, from docs/DIAGNOSTICS.md.
public typealias StoreError = CodedError<StoreErrorDomain>

extension StoreError {
    /// A failed system call: `message: strerror(errno)`, with the `SystemErrno` of `call` as cause.
    public init(_ code: Code, _ message: String, path: String? = nil, errno: Int32, call: String, file: String = #fileID, line: Int = #line) {
        let cause = SystemErrno(errno, call: call)
        self.init(code, message + ": " + cause.text, path: path, cause: cause, file: file, line: line)
    }
}
