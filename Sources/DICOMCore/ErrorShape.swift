/// Where an error was made: the throwing code's file and line (printed by `--verbose`).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String = #fileID, line: Int = #line) { self.file = file; self.line = line }
    public var description: String { "\(file):\(line)" }
}

/// What an error is about: the file, the byte offset in it and the tag, each when known.
public struct ErrorContext: Sendable, Hashable {
    public var path: String?
    public var offset: Int?
    public var tag: Tag?
    public init(path: String? = nil, offset: Int? = nil, tag: Tag? = nil) { self.path = path; self.offset = offset; self.tag = tag }
    /// `offset N: tag (gggg,eeee): `, for text that names the file already.
    public var located: String {
        var s = ""
        if let o = offset { s += "offset \(o): " }
        if let t = tag { s += "tag \(t): " }
        return s
    }
}

/// The one shape of every module's error (after swift-nio's `FileSystemError`): a stable code, a
/// message, the context, the error that caused it and where it was thrown. Each module has one type
/// of this shape; the command line prints `description`, and with `--verbose` the `causeChain`.
public protocol ChainedError: Error, CustomStringConvertible {
    /// The stable name of the error's code, e.g. "not-dicom": scripts and tests match this.
    var codeName: String { get }
    var message: String { get }
    var context: ErrorContext { get }
    /// The lower error this one wraps, kept whole (never flattened into the message).
    var cause: (any Error)? { get }
    var location: SourceLocation { get }
}

/// The open `Code` struct of a module's error (`public struct Code: ErrorCode` with `rawValue`, `init(rawValue:)`
/// and its `static let` constants): a stable name, printed as its raw value.
public protocol ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible where RawValue == String {}

extension ErrorCode {
    public var description: String { rawValue }
}

extension ChainedError {
    /// `path: offset N: tag T: message`, the one-line form.
    public var description: String { (context.path.map { $0 + ": " } ?? "") + context.located + message }
}

extension Error {
    /// This error followed by each cause it wraps, outermost first (bounded against cycles).
    public var causeChain: [any Error] {
        var chain: [any Error] = [self]
        var next = (self as? any ChainedError)?.cause
        while let e = next, chain.count < 32 { chain.append(e); next = (e as? any ChainedError)?.cause }
        return chain
    }
}

/// A stable diagnostic code, e.g. "odd-length": declared once as a constant in the module that
/// reports it and listed in docs/DIAGNOSTICS.md; scripts and tests match codes, never message text.
public struct DiagnosticCode: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
}
