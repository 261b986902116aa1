import DICOMCore
import DICOMFileSet

/// MediaKit's one error (the shape of DICOMCore's `ChainedError`): what was being done, on which
/// path, the lower error it wraps and where it was thrown (ARCHITECTURE: errors name the file).
public struct MediaError: ChainedError, Sendable {
    /// An open set of stable codes: scripts and tests match these, never the message.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// A folder without a DICOMDIR, or an image without one at its root (PS3.10 8.2).
        public static let noDICOMDIR = Code(rawValue: "no-dicomdir")
        /// No such file or folder.
        public static let notFound = Code(rawValue: "not-found")
        /// The file or image is there but cannot be read (not DICOM, truncated, damaged).
        public static let unreadable = Code(rawValue: "unreadable")
        /// Refused to keep the medium safe: nothing was changed (exists, leaves the medium, pending write).
        public static let refused = Code(rawValue: "refused")
        /// The operating system failed a read or write.
        public static let io = Code(rawValue: "io")
        /// A bad argument found by the use case (exit 64 when it names no path).
        public static let badArgument = Code(rawValue: "bad-argument")
        /// A file given as a DICOMDIR that is another DICOM object, or not DICOM.
        public static let notDICOMDIR = Code(rawValue: "not-dicomdir")
        /// Another process holds the File-set's (or store's) lock: nothing was done.
        public static let busy = Code(rawValue: "busy")
    }
    public var code: Code
    public var message: String
    public var context: ErrorContext
    public var cause: (any Error)?
    public var location: SourceLocation

    public init(_ code: Code, _ message: String, path: String? = nil, cause: (any Error)? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code; self.message = message; context = ErrorContext(path: path); self.cause = cause
        location = SourceLocation(file: file, line: line)
    }

    public var codeName: String { code.rawValue }
    /// The file or folder the error is about.
    public var path: String? {
        get { context.path }
        set { context.path = newValue }
    }
}
