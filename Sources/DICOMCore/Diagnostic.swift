/// A problem found while reading or checking data, reported as a value, never printed by library code.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Comparable {
        case info, warning, error
        public static func < (a: Severity, b: Severity) -> Bool {
            let o: [Severity] = [.info, .warning, .error]
            return o.firstIndex(of: a)! < o.firstIndex(of: b)!
        }
    }
    public var severity: Severity
    /// A stable code for scripts and tests, e.g. "odd-length".
    public var code: DiagnosticCode
    public typealias Code = DiagnosticCode
    public var message: String
    /// Byte offset in the file, when known.
    public var offset: Int?
    public var tag: Tag?

    public init(_ severity: Severity, _ code: DiagnosticCode, _ message: String, offset: Int? = nil, tag: Tag? = nil) {
        self.severity = severity; self.code = code; self.message = message; self.offset = offset; self.tag = tag
    }
    public var description: String {
        var s = "\(severity.rawValue): \(message)"
        if let t = tag { s += " [tag \(t)]" }
        if let o = offset { s += " [offset \(o)]" }
        return s + " (\(code))"
    }
}
