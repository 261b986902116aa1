/// Where an error was made: the throwing code's file and line (printed by `--verbose`).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String = #fileID, line: Int = #line) { self.file = file; self.line = line }
    public var description: String { "\(file):\(line)" }
}

/// What an error is about: the file, the byte offset in it, the tag, the line and column of a text
/// file, the component (codec, library) that failed and the rule it applies, each when known.
public struct ErrorContext: Sendable, Hashable {
    public var path: String?
    public var offset: Int?
    public var tag: Tag?
    /// The line of a text input (a CSV map, a JSON configuration), 1-based.
    public var line: Int?
    /// The column (CSV) or key (JSON) of a text input.
    public var column: String?
    /// The component that failed: a codec ("libjpeg-turbo"), a library, a peer.
    public var component: String?
    /// The rule of the standard (or profile) the error applies, e.g. "PS3.3 F.5.2": printed after the message.
    public var rule: String?
    public init(
        path: String? = nil, offset: Int? = nil, tag: Tag? = nil, line: Int? = nil, column: String? = nil, component: String? = nil,
        rule: String? = nil
    ) {
        self.path = path; self.offset = offset; self.tag = tag; self.line = line; self.column = column; self.component = component
        self.rule = rule
    }
    /// `line L, column C: offset N: tag (gggg,eeee): `, for text that names the file already.
    public var located: String {
        var s = ""
        if let l = line { s += "line \(l)" + (column.map { ", column \($0)" } ?? "") + ": " }
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

/// The error domain of one module (an empty enum, e.g. `StoreErrorDomain`): it makes
/// ``CodedError`` a distinct type per module and may print it its own way.
public protocol ErrorDomain: Sendable {
    /// The one-line form of an error of this domain; the default is `path: line L: offset N: tag T: message (rule)`.
    static func describe(_ error: CodedError<Self>) -> String
}

extension ErrorDomain {
    public static func describe(_ error: CodedError<Self>) -> String { error.standardDescription }
}

/// The one error type every module instantiates with its domain (after swift-nio's `FileSystemError`):
/// `public typealias StoreError = CodedError<StoreErrorDomain>`. Its codes are constants of `Code`,
/// generated from docs/DIAGNOSTICS.md into the module's `Generated/ErrorCodes.swift`.
public struct CodedError<Domain: ErrorDomain>: ChainedError, Sendable {
    /// The open set of the domain's stable codes; match on these, never on the message text.
    public struct Code: ErrorCode {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
    }
    public var code: Code
    public var message: String
    public var context: ErrorContext
    public var cause: (any Error)?
    public var location: SourceLocation
    public var codeName: String { code.rawValue }

    /// An error with its whole context.
    public init(_ code: Code, _ message: String, context: ErrorContext, cause: (any Error)? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code; self.message = message; self.context = context; self.cause = cause
        location = SourceLocation(file: file, line: line)
    }

    /// An error about a file, a byte offset in it and a tag, each when known.
    public init(
        _ code: Code, _ message: String, path: String? = nil, offset: Int? = nil, tag: Tag? = nil, cause: (any Error)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.init(code, message, context: ErrorContext(path: path, offset: offset, tag: tag), cause: cause, file: file, line: line)
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
    /// `line L: offset N: tag (gggg,eeee): message`, for lines that name the file already.
    public var located: String { context.located + message }
    /// `path: line L: offset N: tag T: message (rule)`: the default one-line form, for a domain's `describe` to fall back on.
    public var standardDescription: String {
        (context.path.map { $0 + ": " } ?? "") + located + (context.rule.map { " (\($0))" } ?? "")
    }
    public var description: String { Domain.describe(self) }
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
