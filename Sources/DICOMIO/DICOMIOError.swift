import DICOMCore

/// The one error of DICOMIO: reading a Part 10 file (PS3.10 §7) stopped, or writing one failed.
/// Names the file, the byte offset and the tag; a wrapped error (errno, zlib) stays reachable as `cause`.
public struct DICOMIOError: ChainedError, Sendable {
    /// Stable error codes; match on these, never on the message text.
    public struct Code: ErrorCode {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// No DICM prefix and no data element at offset 0 (PS3.10 §7.1).
        public static let notDICOM = Code(rawValue: "not-dicom")
        /// The file ends inside an element (a partial read; `incomplete` from the completeness check).
        public static let truncated = Code(rawValue: "truncated")
        /// The encoding breaks PS3.5 §7 (an unexpected item or delimiter, an element past its item).
        public static let malformed = Code(rawValue: "malformed")
        /// The file cannot be opened, read or written (the cause holds the errno).
        public static let io = Code(rawValue: "io")
        /// The path names a folder.
        public static let isDirectory = Code(rawValue: "is-directory")
        /// The file has no bytes.
        public static let empty = Code(rawValue: "empty")
        /// A Deflated data set cannot be inflated, or deflating failed (PS3.5 §A.5).
        public static let deflate = Code(rawValue: "deflate")
        /// Sequences nested deeper than the limit.
        public static let tooDeep = Code(rawValue: "too-deep")
        /// A syntax or Pixel Data form this writer does not produce.
        public static let unsupported = Code(rawValue: "unsupported")
        /// A limit on memory was reached (inflated size, item count): the file is refused, not read.
        public static let tooLarge = Code(rawValue: "too-large")
        /// The instance is not complete: a value, Pixel Data or a fragment runs past the end of the file (PS3.10 §7).
        public static let incomplete = Code(rawValue: "incomplete")
        /// The image description is impossible (sizes overflow, no frames) (PS3.3 §C.7.6.3).
        public static let impossible = Code(rawValue: "impossible-image")
        /// Writing a file failed (creating, writing or renaming it into place; an encoding limit).
        public static let write = Code(rawValue: "write")
    }
    public var code: Code
    public var message: String
    public var context: ErrorContext
    public var cause: (any Error)?
    public var location: SourceLocation
    public var codeName: String { code.rawValue }

    public init(
        _ code: Code, _ message: String, path: String? = nil, offset: Int? = nil, tag: Tag? = nil,
        cause: (any Error)? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.code = code; self.message = message; context = ErrorContext(path: path, offset: offset, tag: tag)
        self.cause = cause; location = SourceLocation(file: file, line: line)
    }

    /// A write error (the former `DICOMWriteError(message, path:)`).
    public init(_ message: String, path: String? = nil, cause: (any Error)? = nil, file: String = #fileID, line: Int = #line) {
        self.init(.write, message, path: path, cause: cause, file: file, line: line)
    }

    public var path: String? {
        get { context.path }
        set { context.path = newValue }
    }
    public var offset: Int? {
        get { context.offset }
        set { context.offset = newValue }
    }
    public var tag: Tag? {
        get { context.tag }
        set { context.tag = newValue }
    }

    /// `offset N: tag (gggg,eeee): message`, for lines that name the file already.
    public var located: String { context.located + message }
    /// One line: `path: offset N: tag (gggg,eeee): message`.
    public var description: String { (context.path.map { $0 + ": " } ?? "") + located }
}

/// The former name of ``DICOMIOError`` for reading (kept so other modules compile unchanged).
public typealias DICOMParseError = DICOMIOError
/// The former name of ``DICOMIOError`` for writing (its code is `write`).
public typealias DICOMWriteError = DICOMIOError
