import DICOMCore
import DICOMPixel
#if canImport(Glibc)
import Glibc
#endif

/// The one error of reading or writing an image or archive: a stable code, the file, the message,
/// and the cause (libarchive's or libisofs' return code, errno, the JPEG encoder's error).
public struct ImageError: ChainedError, Sendable {
    /// A stable error code (listed in docs/DIAGNOSTICS.md, `## MediaImage`); open for other readers and writers.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file is not an ISO 9660 image (or archive) this reader can read (ECMA-119 8.1, 8.4).
        public static let notAnImage = Code(rawValue: "not-an-image")
        /// A volume descriptor, directory record or file extent is damaged or lies past the end of the image (ECMA-119 9.1).
        public static let damagedImage = Code(rawValue: "damaged-image")
        /// A directory extent lies past the end of a cut-short image: listed as skipped, not fatal below the root.
        public static let beyondEnd = Code(rawValue: "beyond-end")
        /// The image is refused as unsafe: overlapping directory extents, too many entries.
        public static let refused = Code(rawValue: "refused")
        /// The image or archive has no entry of that path.
        public static let noEntry = Code(rawValue: "no-entry")
        /// A volume identifier or a path in the image is not allowed, or two files would share a path (ECMA-119 7.4.1, 8.4.6).
        public static let invalidName = Code(rawValue: "invalid-name")
        /// The pixels given to the JPEG encoder do not fill the image's width and height.
        public static let invalidInput = Code(rawValue: "invalid-input")
        /// Opening, reading, writing, renaming or syncing a file failed; the cause carries errno.
        public static let ioFailed = Code(rawValue: "io-failed")
        /// libarchive, libisofs or the JPEG encoder failed; the cause carries the library's return code and message.
        public static let libraryFailed = Code(rawValue: "library-failed")
    }

    public var code: Code
    public var message: String
    public var context: ErrorContext
    public var cause: (any Error)?
    public var location: SourceLocation

    public init(
        _ code: Code, path: String, _ message: String, offset: Int? = nil, cause: (any Error)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code; self.message = message
        self.context = ErrorContext(path: path, offset: offset); self.cause = cause
        self.location = SourceLocation(file: file, line: line)
    }

    /// A failed system call: `what: strerror(errno)`, errno kept as the cause.
    static func system(
        _ code: Code = .ioFailed, path: String, _ what: String, function: String, errno e: Int32 = errno,
        file: String = #fileID, line: Int = #line
    ) -> ImageError {
        let text = String(cString: strerror(e))
        return ImageError(
            code, path: path, "\(what): \(text)", cause: LibraryCallError(library: "libc", function: function, code: Int(e), message: text),
            file: file, line: line)
    }

    /// A failed libarchive or libisofs call: `what: message`, the library's return code kept as the cause.
    static func library(
        _ library: String, path: String, _ what: String, function: String, code: Int, message: String,
        file: String = #fileID, line: Int = #line
    ) -> ImageError {
        ImageError(
            .libraryFailed, path: path, "\(what): \(message)",
            cause: LibraryCallError(library: library, function: function, code: code, message: message), file: file, line: line)
    }

    public var codeName: String { code.rawValue }
    /// The image, archive or source file the error is about.
    public var path: String { context.path ?? "" }
    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}
