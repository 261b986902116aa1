import DICOMCore

/// The error domain of pixel decoding, encoding and transcoding (PS3.5 §8, §10): a codec's error reads
/// `codec: message at byte N of the frame`, the transcoder's `message [tag (gggg,eeee)]`.
public enum PixelErrorDomain: ErrorDomain {
    public static func describe(_ error: PixelError) -> String {
        if let codec = error.codec { return "\(codec): \(error.message)" + (error.offset.map { " at byte \($0) of the frame" } ?? "") }
        return error.message + (error.tag.map { " [tag \($0)]" } ?? "")
    }
}

/// The one error of pixel decoding, encoding and transcoding: a stable code, the codec that failed
/// (when one did, in `context.component`), the message, where (byte offset in the frame, tag), the
/// error it wraps and where it was thrown. Never a trap. Codes in Generated/ErrorCodes.swift, from
/// docs/DIAGNOSTICS.md.
public typealias PixelError = CodedError<PixelErrorDomain>

extension PixelError {
    /// A codec's error, `offset` bytes into the frame when known.
    public init(
        _ code: Code, codec: String, _ message: String, offset: Int? = nil, cause: (any Error)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.init(code, message, context: ErrorContext(offset: offset, component: codec), cause: cause, file: file, line: line)
    }

    /// The codec or step that failed ("libjpeg-turbo", "JPEG Lossless", "encapsulation"); nil for a transcoder error.
    public var codec: String? { context.component }

    static func unsupported(_ ts: TransferSyntax, _ what: String) -> PixelError {
        PixelError(.noCodec, "unsupported transfer syntax \(ts.name) (\(ts.uid)): \(what)", tag: .pixelData)
    }
}

/// A C library call that failed: the library, the function, its return code (or errno) and the library's message.
public struct LibraryCallError: Error, Sendable, CustomStringConvertible, Equatable {
    public var library: String
    public var function: String
    public var code: Int
    public var message: String
    public init(library: String, function: String, code: Int, message: String) {
        self.library = library; self.function = function; self.code = code; self.message = message
    }
    public var description: String { "\(library) \(function): \(message) (\(code))" }
}

/// The name of DICOMPixel's error before the one error shape (codec errors).
public typealias CodecError = PixelError
/// The name of DICOMPixel's error before the one error shape (transcoder errors).
public typealias TranscodeError = PixelError
