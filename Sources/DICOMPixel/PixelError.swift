import DICOMCore

/// The one error of pixel decoding, encoding and transcoding (PS3.5 §8, §10): a stable code, the
/// codec that failed (when one did), the message, where (byte offset in the frame, tag), the
/// error it wraps and where it was thrown. Never a trap.
public struct PixelError: ChainedError, Sendable {
    /// A stable error code (listed in docs/DIAGNOSTICS.md, `## DICOMPixel`); open for other codecs.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The compressed frame breaks the rules of its coding (markers, segments, Huffman codes, RLE header; ISO 10918-1, 14495-1, 15444-1, PS3.5 G).
        public static let malformedFrame = Code(rawValue: "malformed-frame")
        /// A valid coding the codec does not handle (progressive, arithmetic, hierarchical, HTJ2K, subsampled, 12-bit in libjpeg-turbo).
        public static let unsupportedCoding = Code(rawValue: "unsupported-coding")
        /// The frame's own header disagrees with the Image Pixel Module (size, components, precision; PS3.5 8.2).
        public static let frameMismatch = Code(rawValue: "frame-mismatch")
        /// The codec cannot encode frames of this description in this syntax.
        public static let cannotEncode = Code(rawValue: "cannot-encode")
        /// A C library call failed; the cause is a `LibraryCallError` with the library's return code and message.
        public static let libraryFailed = Code(rawValue: "library-failed")
        /// Encapsulated Pixel Data cannot be split into frames (fragments, offset tables; PS3.5 A.4).
        public static let encapsulation = Code(rawValue: "encapsulation")
        /// The Image Pixel Module is missing, impossible or too large (PS3.3 C.7.6.3).
        public static let invalidDescription = Code(rawValue: "invalid-pixel-description")
        /// Pixel Data, a decoded frame or a native frame holds fewer bytes than the description needs (PS3.5 8.1.1).
        public static let shortPixelData = Code(rawValue: "short-pixel-data")
        /// A PALETTE COLOR lookup table is missing or too short (PS3.3 C.7.6.3.1.5-6).
        public static let paletteMissing = Code(rawValue: "palette-missing")
        /// No registered codec decodes or encodes this transfer syntax and description (PS3.5 §10).
        public static let noCodec = Code(rawValue: "no-codec")
        /// Decoding or encoding one frame failed; the cause is the codec's error.
        public static let frameFailed = Code(rawValue: "frame-failed")
    }

    public var code: Code
    /// The codec or step that failed ("libjpeg-turbo", "JPEG Lossless", "encapsulation"); nil for a transcoder error.
    public var codec: String?
    public var message: String
    public var context: ErrorContext
    public var cause: (any Error)?
    public var location: SourceLocation

    /// A codec's error, `offset` bytes into the frame when known.
    public init(
        _ code: Code, codec: String, _ message: String, offset: Int? = nil, cause: (any Error)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code; self.codec = codec; self.message = message
        self.context = ErrorContext(offset: offset); self.cause = cause
        self.location = SourceLocation(file: file, line: line)
    }

    /// A transcoder's error about the attribute `tag`.
    public init(_ code: Code, _ message: String, tag: Tag? = nil, cause: (any Error)? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code; self.codec = nil; self.message = message
        self.context = ErrorContext(tag: tag); self.cause = cause
        self.location = SourceLocation(file: file, line: line)
    }

    public var codeName: String { code.rawValue }
    /// Byte offset in the frame where the problem was found, when known.
    public var offset: Int? { context.offset }
    /// The attribute the error is about, when known.
    public var tag: Tag? { context.tag }

    /// `codec: message at byte N of the frame` for a codec, `message [tag (gggg,eeee)]` for the transcoder.
    public var description: String {
        if let codec { return "\(codec): \(message)" + (offset.map { " at byte \($0) of the frame" } ?? "") }
        return message + (tag.map { " [tag \($0)]" } ?? "")
    }

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
