import DICOMCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An error of the store (DICOMCore's ``ChainedError`` shape): its code, what failed, on which path,
/// and the error that caused it kept whole: GRDB's `DatabaseError` with its SQLite result code, the
/// `POSIXError` of a failed system call, DICOMCore's lock failures.
public struct StoreError: ChainedError, Sendable {
    /// The stable code of a store error (listed in docs/DIAGNOSTICS.md, `## DICOMStore`).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// No store at the given folder (commands that do not create one).
        public static let noStore = Code(rawValue: "no-store")
        /// No `--store`, `$DICOM_MEDIA_STORE`, `$XDG_DATA_HOME` or `$HOME` to place the store.
        public static let noLocation = Code(rawValue: "no-store-location")
        /// The SQLite index cannot be opened, migrated, read or written (cause: GRDB's DatabaseError).
        public static let indexUnavailable = Code(rawValue: "index-unavailable")
        /// Another process holds the store lock and did not release it within `--wait`.
        public static let busy = Code(rawValue: "store-busy")
        /// A lock file of the store cannot be opened or taken (a planted link, permissions).
        public static let lockFailed = Code(rawValue: "lock-failed")
        /// A file or folder of the store cannot be created, written, read or moved (cause: POSIXError).
        public static let io = Code(rawValue: "store-io")
        /// A SHA-256 prefix given to `store remove --copy` names several copies.
        public static let ambiguousCopy = Code(rawValue: "ambiguous-copy")
    }

    public var code: Code
    public var message: String
    public var context: ErrorContext
    public var cause: (any Error)?
    public var location: SourceLocation
    public var codeName: String { code.rawValue }

    public init(
        _ code: Code, _ message: String, path: String? = nil, cause: (any Error)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code; self.message = message; self.context = ErrorContext(path: path); self.cause = cause
        self.location = SourceLocation(file: file, line: line)
    }

    /// A failed system call: `message: strerror(errno)`, with the `POSIXError` as cause.
    public init(_ code: Code, _ message: String, path: String? = nil, errno: Int32, file: String = #fileID, line: Int = #line) {
        self.init(
            code, message + ": " + String(cString: strerror(errno)), path: path,
            cause: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO), file: file, line: line)
    }
}
