import DICOMCore
import DICOMFileSet
import Foundation

/// What `create`/`update` did (or, with --dry-run, would do).
public struct FileSetReport: Sendable {
    public struct Added: Sendable { public var fileID: String; public var source: String; public var recordType: String; public var sopInstanceUID: String }
    public var operation: String
    public var root: String
    public var fileSetID = ""
    public var fileSetUID = ""
    public var dryRun = false
    /// One entry per instance: past 64 KiB held in an anonymous file in the target's tool folder (``SpillList``).
    public var added = SpillList<Added>()
    /// Instances written in another transfer syntax than their source's.
    public var transcoded: [(source: String, fileID: String, from: String, to: String, lossy: Bool)] = []
    /// Instances already on the medium with the same content: skipped.
    public var alreadyPresent: [(source: String, fileID: String)] = []
    /// Inputs refused, with the rule.
    public var refused: [(source: String, reason: String)] = []
    public var notDICOM: [(path: String, reason: String)] = []
    public var unreadable: [(path: String, reason: String)] = []
    public var problems: [FileSetProblem] = []
    /// A journal of an interrupted earlier run was completed first.
    public var resumed: String?
    /// No instance to write (empty input, everything refused or not DICOM): no DICOMDIR was written.
    public var nothingWritten = false
    /// The application profile followed, and where it came from ("option", "recorded", "content").
    public var profile = ""
    public var profileSource = "option"

    /// Done in part (exit 1): something was refused or unreadable, or an error-level problem arose.
    /// Warnings alone are not a problem (exit 0, 1 with `--fail-on warning`).
    public var hasProblems: Bool {
        nothingWritten || !refused.isEmpty || !unreadable.isEmpty || problems.contains { $0.severity >= .error }
    }
    public var hasWarnings: Bool { problems.contains { $0.severity == .warning } }

    /// Everything for stderr: refusals, unreadable inputs, problems (errors and warnings), files skipped as not DICOM.
    public var diagnostics: [FileSetProblem] {
        // The reason often starts with the path already: name it once.
        func reason(_ r: String, _ path: String) -> String { r.hasPrefix(path + ": ") ? String(r.dropFirst(path.count + 2)) : r }
        return refused.map { FileSetProblem(.error, .inputRefused, reason($0.reason, $0.source), fileID: $0.source, rule: "PS3.10 8.3") }
            + unreadable.map { FileSetProblem(.error, .inputUnreadable, reason($0.reason, $0.path), fileID: $0.path, rule: "PS3.10 7") }
            + problems
            + notDICOM.map { FileSetProblem(.info, .notDICOM, "not DICOM, skipped: \($0.reason)", fileID: $0.path, rule: "PS3.10 7.1") }
    }

    public var json: JSON {
        .object([
            ("operation", .string(operation)), ("root", .string(root)), ("dryRun", .bool(dryRun)),
            ("fileSetID", .string(fileSetID)), ("fileSetUID", .string(fileSetUID)),
            ("resumed", resumed.map { .string($0) } ?? .null), ("nothingWritten", .bool(nothingWritten)),
            ("profile", .string(profile)), ("profileSource", .string(profileSource)),
            (
                "added",
                .array(
                    added.map {
                        .object([
                            ("fileID", .string($0.fileID)), ("source", .string($0.source)),
                            ("recordType", .string($0.recordType)), ("sopInstanceUID", .string($0.sopInstanceUID)),
                        ])
                    })
            ),
            (
                "transcoded",
                .array(
                    transcoded.map {
                        .object([
                            ("source", .string($0.source)), ("fileID", .string($0.fileID)),
                            ("from", .string($0.from)), ("to", .string($0.to)), ("lossy", .bool($0.lossy)),
                        ])
                    })
            ),
            ("alreadyPresent", .array(alreadyPresent.map { .object([("source", .string($0.source)), ("fileID", .string($0.fileID))]) })),
            ("refused", .array(refused.map { .object([("source", .string($0.source)), ("reason", .string($0.reason))]) })),
            ("notDicom", .array(notDICOM.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
            ("unreadable", .array(unreadable.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
            ("problems", .array(problems.map(\.json))),
        ])
    }

    /// Replaces input paths by what they stand for (export: store objects by patient, study,
    /// instance and original source), in every list and problem, so no message names a store path.
    public mutating func nameSources(_ names: [String: String]) {
        guard !names.isEmpty else { return }
        let sources = SourceNames(names)
        let n = sources.name
        added.updateEach { $0.source = n($0.source) }
        transcoded = transcoded.map { ($0.source.isEmpty ? $0.source : n($0.source), $0.fileID, $0.from, $0.to, $0.lossy) }
        alreadyPresent = alreadyPresent.map { (n($0.source), $0.fileID) }
        refused = refused.map { (n($0.source), sources.rename(in: $0.reason)) }
        unreadable = unreadable.map { (n($0.path), $0.reason) }
        notDICOM = notDICOM.map { (n($0.path), $0.reason) }
        for i in problems.indices {
            if let f = problems[i].fileID { problems[i].fileID = n(f) }
            problems[i].message = sources.rename(in: problems[i].message)
        }
    }

    /// The results (stdout): summary, File-set identity, the plan with --dry-run.
    public var text: String {
        var lines: [String] = []
        if let r = resumed { lines.append("resumed: \(r)") }
        if nothingWritten { lines.append("\(operation) \(root): no instances: nothing written") }
        if profileSource != "option" {
            lines.append("profile \(profile) (\(profileSource == "recorded" ? "recorded in the DICOMDIR" : "implied by the File-set's content"))")
        }
        let verb = dryRun ? "would add" : "added"
        if dryRun { for a in added { lines.append("  \(a.fileID)  <- \(a.source)  [\(a.recordType)]") } }
        if dryRun {
            for t in transcoded {
                lines.append(
                    "transcoded: \(t.source) -> \(t.fileID): \(TransferSyntax(uid: t.from).name) -> \(TransferSyntax(uid: t.to).name)\(t.lossy ? " (lossy)" : "")"
                )
            }
        }
        lines.append(
            "\(operation) \(root): \(verb) \(added.count) instance(s)\(transcoded.isEmpty ? "" : " (\(transcoded.count) transcoded)"); already present \(alreadyPresent.count); refused \(refused.count); not DICOM \(notDICOM.count); unreadable \(unreadable.count)"
        )
        lines.append("File-set ID '\(fileSetID)', UID \(fileSetUID)")
        for p in alreadyPresent { lines.append("already present: \(p.source) = \(p.fileID)") }
        // Refusals, unreadable inputs and problems are diagnostics: see `diagnostics` (stderr).
        return lines.joined(separator: "\n")
    }
}

extension FileSetReport.Added: Spillable {
    public func spill(into out: inout [UInt8]) {
        for s in [fileID, source, recordType, sopInstanceUID] { SpillWriter.string(s, into: &out) }
    }
    public init(unspilling r: inout SpillReader) {
        self.init(fileID: r.string() ?? "", source: r.string() ?? "", recordType: r.string() ?? "", sopInstanceUID: r.string() ?? "")
    }
}
