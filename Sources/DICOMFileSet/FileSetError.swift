import Foundation
import DICOMCore

/// The one error of DICOMFileSet (the ``ChainedError`` shape): the guarded medium's refusals and
/// failures, File ID layouts that cannot be loaded or parsed, a DICOMDIR that cannot be written.
/// A wrapped error is kept whole in `cause`.
public struct FileSetError: ChainedError, Sendable, LocalizedError {
    /// A stable code; open, so that a new kind of failure does not break a `switch`.
    public struct Code: ErrorCode {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The guarded medium refused: a path leaving the root, a link, an existing file, a journal entry (PS3.10 §8.2).
        public static let refused = Code(rawValue: "medium-refused")
        /// The file or folder asked for does not exist.
        public static let missing = Code(rawValue: "medium-missing")
        /// A system call on the medium failed (open, read, write, sync, rename, delete).
        public static let io = Code(rawValue: "medium-io")
        /// No layout template of that name or path exists.
        public static let layoutNotFound = Code(rawValue: "layout-not-found")
        /// A layout template exists but cannot be read as UTF-8 text.
        public static let layoutUnreadable = Code(rawValue: "layout-unreadable")
        /// A layout template does not parse (the line is in `templateLine`).
        public static let layoutSyntax = Code(rawValue: "layout-syntax")
        /// An instance cannot get directory records under the builder's rules (profile, missing key, File ID); `rule` names the rule.
        public static let instanceRefused = Code(rawValue: "instance-refused")
        /// The DICOMDIR would exceed 4 GiB: its offsets do not fit in 32 bits (PS3.3 F.3.2.1).
        public static let dicomdirTooLarge = Code(rawValue: "dicomdir-too-large")
    }

    /// The three outcomes of the guarded medium (the shape `MediumError` had): what callers map to their own codes.
    public enum Kind: Sendable { case refused, missing, io }

    public var code: Code
    public var message: String
    public var context: ErrorContext
    public var cause: (any Error)?
    public var location: SourceLocation
    /// For a layout error: the layout's name (or the path asked for).
    public var layout: String?
    /// For a layout parse error: the 1-based line of the template and its text.
    public var templateLine: Int?
    public var templateLineText: String?
    /// The rule the error applies, e.g. "PS3.3 F.5.2" ("" when none).
    public var rule = ""

    /// A medium error about `path` (relative to the root when it is inside).
    public init(
        _ code: Code, _ message: String, path: String? = nil, cause: (any Error)? = nil,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code; self.message = message; self.context = ErrorContext(path: path)
        self.cause = cause; self.location = SourceLocation(file: file, line: line)
    }

    /// A layout error; `templateLine` set for a parse error.
    public init(
        _ code: Code, layout: String, templateLine: Int? = nil, lineText: String? = nil, message: String,
        cause: (any Error)? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.init(code, message, cause: cause, file: file, line: line)
        self.layout = layout; self.templateLine = templateLine; self.templateLineText = lineText
    }

    /// An instance refused by the record builder: `source` is the file it came from.
    public init(refusing source: String, _ message: String, rule: String, file: String = #fileID, line: Int = #line) {
        self.init(.instanceRefused, message, path: source, file: file, line: line)
        self.rule = rule
    }

    public var codeName: String { code.rawValue }
    /// The path the error is about ("" when none).
    public var path: String { context.path ?? "" }
    /// The medium outcome: `.missing` and `.refused` by their codes, anything else `.io`.
    public var kind: Kind { code == .missing ? .missing : code == .refused ? .refused : .io }

    public var description: String {
        if let layout {
            guard let templateLine else { return "layout '\(layout)': \(message)" }
            let text = templateLineText.map { " '\($0)'" } ?? ""
            return "layout '\(layout)' line \(templateLine)\(text): \(message)"
        }
        return (context.path.map { $0 + ": " } ?? "") + context.located + message + (rule.isEmpty ? "" : " (\(rule))")
    }
    public var errorDescription: String? { description }
}

/// The guarded medium's error, by its former name (MediaKit catches it).
public typealias MediumError = FileSetError
