import DICOMFileSet

/// Repeated problems as one line: "383 x file-missing under DICOM/04600/P0000001".
public enum DiagnosticGroups {
    /// Groups of at least this many problems with one severity, code, input and folder become one line.
    public static let threshold = 4

    static func folder(_ p: FileSetProblem) -> String {
        guard let f = p.fileID else { return "" }
        let parts = f.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        return parts.dropLast().joined(separator: "/")
    }

    /// A problem's line, prefixed with the input it was found in.
    public static func line(_ p: FileSetProblem) -> String {
        (p.source.map { "\($0): " } ?? "") + p.description
    }

    /// The lines of `problems` in order; with `grouped`, groups of `threshold` or more as one line each.
    public static func lines(_ problems: [FileSetProblem], grouped: Bool) -> [String] {
        guard grouped else { return problems.map(line) }
        struct Key: Hashable { var severity: String; var code: String; var source: String?; var folder: String }
        var order: [Key] = []
        var groups: [Key: [FileSetProblem]] = [:]
        for p in problems {
            let k = Key(severity: p.severity.rawValue, code: p.code.rawValue, source: p.source, folder: folder(p))
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(p)
        }
        var out: [String] = []
        for k in order {
            let g = groups[k] ?? []
            if g.count < threshold { out += g.map(line); continue }
            let under = k.folder.isEmpty ? "" : " under \(k.folder)"
            out.append(
                (k.source.map { "\($0): " } ?? "")
                    + "\(k.severity) \(g.count) x \(k.code)\(under): \(g[0].message) (\(g[0].rule)); first \(g[0].fileID ?? "-"); --verbose lists every one")
        }
        return out
    }

    /// Problems to show: errors always, warnings and notes unless `quiet`.
    public static func shown(_ problems: [FileSetProblem], quiet: Bool) -> [FileSetProblem] {
        problems.filter { !quiet || $0.severity >= .error }
    }

    /// Whether a job with these problems was done only in part (an error), and whether a warning arose.
    public static func outcome(_ problems: [FileSetProblem]) -> (partial: Bool, warnings: Bool) {
        (problems.contains { $0.severity >= .error }, problems.contains { $0.severity == .warning })
    }
}
