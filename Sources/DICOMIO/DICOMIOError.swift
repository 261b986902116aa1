import DICOMCore

/// The error domain of DICOMIO: reading a Part 10 file (PS3.10 §7) stopped, or writing one failed.
public enum DICOMIOErrorDomain: ErrorDomain {}

/// The one error of DICOMIO: names the file, the byte offset and the tag; a wrapped error (errno,
/// zlib) stays reachable as `cause`. Codes in Generated/ErrorCodes.swift, from docs/DIAGNOSTICS.md.
public typealias DICOMIOError = CodedError<DICOMIOErrorDomain>

extension DICOMIOError {
    /// A write error (the former `DICOMWriteError(message, path:)`).
    public init(_ message: String, path: String? = nil, cause: (any Error)? = nil, file: String = #fileID, line: Int = #line) {
        self.init(.write, message, path: path, cause: cause, file: file, line: line)
    }
}

/// The former name of ``DICOMIOError`` for reading (kept so other modules compile unchanged).
public typealias DICOMParseError = DICOMIOError
/// The former name of ``DICOMIOError`` for writing (its code is `write`).
public typealias DICOMWriteError = DICOMIOError
