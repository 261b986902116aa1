import DICOMCore
import DICOMPixel
#if canImport(Glibc)
import Glibc
#endif

/// The error domain of reading or writing an image or archive: an error reads `path: message`.
public enum ImageErrorDomain: ErrorDomain {
    public static func describe(_ error: ImageError) -> String { "\(error.path ?? ""): \(error.message)" }
}

/// The one error of reading or writing an image or archive: a stable code, the file, the message,
/// and the cause (libarchive's or libisofs' return code, errno, the JPEG encoder's error). Codes in
/// Generated/ErrorCodes.swift, from docs/DIAGNOSTICS.md.
public typealias ImageError = CodedError<ImageErrorDomain>

extension ImageError {
    /// An error about the image, archive or source file at `path`, `offset` bytes into it when known.
    public init(_ code: Code, path: String, _ message: String, offset: Int? = nil, cause: (any Error)? = nil, file: String = #fileID, line: Int = #line) {
        self.init(code, message, path: path, offset: offset, cause: cause, file: file, line: line)
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
}
