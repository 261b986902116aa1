import DICOMCore

/// A problem in a File-set: severity, stable code, the File ID concerned and the rule broken.
public struct FileSetProblem: Sendable, Equatable, CustomStringConvertible {
    public var severity: Diagnostic.Severity
    /// Stable identifier for scripts and tests, e.g. "offset-not-item".
    public var code: DiagnosticCode
    public var message: String
    /// The File ID the problem is about, when there is one.
    public var fileID: String?
    /// The rule, e.g. "PS3.3 F.4".
    public var rule: String
    /// Byte offset in the DICOMDIR, when the problem is in it.
    public var offset: Int?
    /// The input the problem was found in (an input File-set's DICOMDIR, a medium), when it is not the output.
    public var source: String?

    public init(
        _ severity: Diagnostic.Severity, _ code: DiagnosticCode, _ message: String, fileID: String? = nil, rule: String, offset: Int? = nil,
        source: String? = nil
    ) {
        self.severity = severity; self.code = code; self.message = message; self.fileID = fileID; self.rule = rule; self.offset = offset
        self.source = source
    }
    /// The same problem, found in the input `source`.
    public func from(_ source: String) -> FileSetProblem { var p = self; p.source = source; return p }
    public var description: String {
        var s = "\(severity.rawValue) [\(code)]"
        if let f = fileID { s += " \(f):" }
        s += " \(message) (\(rule))"
        if let o = offset { s += " at DICOMDIR offset \(o)" }
        return s
    }
    public var json: JSON {
        var o: [(String, JSON)] = [("severity", .string(severity.rawValue)), ("code", .string(code.rawValue)), ("message", .string(message))]
        o.append(("fileID", fileID.map { .string($0) } ?? .null))
        o.append(("rule", .string(rule)))
        if let off = offset { o.append(("offset", .int(Int64(off)))) }
        if let src = source { o.append(("source", .string(src))) }
        return .object(o)
    }
}
