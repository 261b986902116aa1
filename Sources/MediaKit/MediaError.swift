import DICOMCore

/// The error domain of MediaKit, the use cases.
public enum MediaErrorDomain: ErrorDomain {}

/// MediaKit's one error: what was being done, on which path (a reconciliation map's line and column
/// too), the lower error it wraps, the rule (a transform's refusal) and where it was thrown
/// (ARCHITECTURE: errors name the file). Codes in Generated/ErrorCodes.swift, from docs/DIAGNOSTICS.md.
public typealias MediaError = CodedError<MediaErrorDomain>

extension MediaError {
    /// A transform (de-identify, reconcile) refused the instance (`transform-refused`); `rule` names the standard's section.
    static func transformRefusal(_ message: String, rule: String, file: String = #fileID, line: Int = #line) -> MediaError {
        MediaError(.transformRefused, message, context: ErrorContext(rule: rule), file: file, line: line)
    }

    /// A problem of the reconciliation map at `path`, `line` and `column` (`map-*`).
    static func map(_ code: Code, path: String, line: Int, column: String?, message: String, file: String = #fileID, lineNumber: Int = #line)
        -> MediaError
    {
        MediaError(code, message, context: ErrorContext(path: path, line: line, column: column), file: file, line: lineNumber)
    }

    /// The instance was refused by a rule (profile, syntax): it is listed as refused, not as unreadable.
    var isRefusal: Bool { code == .refused || code == .syntaxRefused }
}
