import DICOMCore

/// The error domain of DICOMFileSet: a layout error reads `layout 'name' line N 'text': message`.
public enum FileSetErrorDomain: ErrorDomain {
    public static func describe(_ error: FileSetError) -> String {
        guard let layout = error.layout else { return error.standardDescription }
        guard let line = error.templateLine else { return "layout '\(layout)': \(error.message)" }
        let text = error.templateLineText.map { " '\($0)'" } ?? ""
        return "layout '\(layout)' line \(line)\(text): \(error.message)"
    }
}

/// The one error of DICOMFileSet: the guarded medium's refusals and failures, File ID layouts that
/// cannot be loaded or parsed, an instance the record builder refuses (the rule in `context.rule`),
/// a DICOMDIR that cannot be written. A wrapped error is kept whole in `cause`. Codes in
/// Generated/ErrorCodes.swift, from docs/DIAGNOSTICS.md.
public typealias FileSetError = CodedError<FileSetErrorDomain>

extension FileSetError {
    /// The three outcomes of the guarded medium (the shape `MediumError` had): what callers map to their own codes.
    public enum Kind: Sendable { case refused, missing, io }

    /// A layout error: the layout's name (or the path asked for) in `context.component`; for a parse
    /// error the template's 1-based line in `context.line` and that line's text in `context.column`.
    public init(
        _ code: Code, layout: String, templateLine: Int? = nil, lineText: String? = nil, message: String,
        cause: (any Error)? = nil, file: String = #fileID, line: Int = #line
    ) {
        self.init(
            code, message, context: ErrorContext(line: templateLine, column: lineText, component: layout), cause: cause, file: file, line: line)
    }

    /// An instance refused by the record builder: `source` is the file it came from, `rule` the rule it breaks.
    public init(refusing source: String, _ message: String, rule: String, file: String = #fileID, line: Int = #line) {
        self.init(.instanceRefused, message, context: ErrorContext(path: source, rule: rule.isEmpty ? nil : rule), file: file, line: line)
    }

    /// For a layout error: the layout's name (or the path asked for).
    public var layout: String? { code.isLayout ? context.component : nil }
    /// For a layout parse error: the 1-based line of the template.
    public var templateLine: Int? { code.isLayout ? context.line : nil }
    /// For a layout parse error: the text of that line.
    public var templateLineText: String? { code.isLayout ? context.column : nil }
    /// The rule the error applies, e.g. "PS3.3 F.5.2" ("" when none).
    public var rule: String { context.rule ?? "" }
    /// The medium outcome: `.missing` and `.refused` by their codes, anything else `.io`.
    public var kind: Kind { code == .missing ? .missing : code == .refused ? .refused : .io }
}

extension FileSetError.Code {
    /// A code of the File ID layouts (`layout-*`).
    var isLayout: Bool { rawValue.hasPrefix("layout-") }
}

/// The guarded medium's error, by its former name (MediaKit catches it).
public typealias MediumError = FileSetError
