import DICOMCore

/// An error that stops reading a Part 10 file (PS3.10 §7): names the file, the byte offset and the tag.
public struct DICOMParseError: Error, Sendable, CustomStringConvertible {
    /// Stable error codes; match on these, never on the message text.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        public static let notDICOM = Code(rawValue: "not-dicom")
        public static let truncated = Code(rawValue: "truncated")
        public static let malformed = Code(rawValue: "malformed")
        public static let io = Code(rawValue: "io")
        public static let isDirectory = Code(rawValue: "is-directory")
        public static let empty = Code(rawValue: "empty")
        public static let deflate = Code(rawValue: "deflate")
        public static let tooDeep = Code(rawValue: "too-deep")
        public static let unsupported = Code(rawValue: "unsupported")
        /// A limit on memory was reached (inflated size, item count): the file is refused, not read.
        public static let tooLarge = Code(rawValue: "too-large")
        /// The instance is not complete: a value, Pixel Data or a fragment runs past the end of the file (PS3.10 §7).
        public static let incomplete = Code(rawValue: "incomplete")
        /// The image description is impossible (sizes overflow, no frames) (PS3.3 §C.7.6.3).
        public static let impossible = Code(rawValue: "impossible-image")
    }
    public var code: Code
    public var message: String
    public var path: String?
    public var offset: Int?
    public var tag: Tag?

    public init(_ code: Code, _ message: String, path: String? = nil, offset: Int? = nil, tag: Tag? = nil) {
        self.code = code; self.message = message; self.path = path; self.offset = offset; self.tag = tag
    }
    /// `offset N: tag (gggg,eeee): message`, for lines that name the file already.
    public var located: String {
        var s = ""
        if let o = offset { s += "offset \(o): " }
        if let t = tag { s += "tag \(t): " }
        return s + message
    }
    /// One line: `path: offset N: tag (gggg,eeee): message`.
    public var description: String {
        var s = ""
        if let p = path { s += p + ": " }
        if let o = offset { s += "offset \(o): " }
        if let t = tag { s += "tag \(t): " }
        return s + message
    }
}
