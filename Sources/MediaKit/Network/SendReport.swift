import DICOMCore
import DICOMFileSet
import DICOMNetwork

/// What `send` and `import --to` did with each instance: confirmed by the peer (success or warning), or why not.
/// Nothing is counted as sent that the peer did not confirm.
public struct SendReport: Sendable {
    /// One instance: where it came from, and the peer's answer.
    public struct Instance: Sendable {
        public var path: String
        public var sopInstanceUID: String
        public var studyInstanceUID: String
        /// The C-STORE-RSP status, or for STOW-RS 0000 (referenced), the Warning Reason, or the Failure Reason.
        public var status: DIMSEStatus?
        public var transferSyntax: String?
        public var reencoded = false
        /// Why it was not sent or not confirmed.
        public var error: String?
        /// Its SOP Class UID (for Storage Commitment).
        public var sopClassUID = ""
        /// The peer confirmed it: success or a warning.
        public var confirmed: Bool { error == nil && (status.map { $0.kind == .success || $0.kind == .warning } ?? false) }
        public var warning: Bool { confirmed && status?.kind == .warning }
    }

    public var peer: String
    /// "C-STORE" or "STOW-RS".
    public var service: String
    public var dryRun = false
    public var instances: [Instance] = []
    /// Studies whose association (or STOW-RS request) could not be made: the error line.
    public var studyErrors: [(study: String, error: String)] = []

    public var confirmed: Int { instances.filter(\.confirmed).count }
    public var failed: [Instance] { instances.filter { !$0.confirmed } }
    /// No instance could be sent because no association (or request) could be made: exit 2.
    public var couldNotConnect: Bool { !dryRun && !instances.isEmpty && confirmed == 0 && !studyErrors.isEmpty && instances.allSatisfy { $0.status == nil } }
    var studies: [String] { instances.reduce(into: [String]()) { if !$0.contains($1.studyInstanceUID) { $0.append($1.studyInstanceUID) } } }

    /// The summary line, e.g. "sent 12 of 12 instances (2 studies) to PACS@host:104 by C-STORE".
    public var summary: String {
        let n = studies.count
        if dryRun { return "would send \(instances.count) instances (\(n) \(n == 1 ? "study" : "studies")) to \(peer) by \(service)" }
        let warnings = instances.filter(\.warning).count
        return "sent \(confirmed) of \(instances.count) instances (\(n) \(n == 1 ? "study" : "studies")) to \(peer) by \(service); failed \(failed.count)"
            + (warnings > 0 ? ", with warnings \(warnings)" : "")
    }

    /// One line per study (instances confirmed and failed), then the summary.
    public var text: String {
        var lines: [String] = []
        if !dryRun {
            for s in studies {
                let of = instances.filter { $0.studyInstanceUID == s }
                lines.append("study \(s): \(of.filter(\.confirmed).count) of \(of.count) confirmed")
            }
        }
        lines.append(summary)
        return lines.joined(separator: "\n")
    }

    /// The failed instances (errors) and the warnings, for stderr; each names the file and the SOP Instance.
    public var diagnostics: [FileSetProblem] {
        var out: [FileSetProblem] = []
        for (study, error) in studyErrors {
            out.append(FileSetProblem(.error, .sendFailed, "study \(study) not sent: \(error)", rule: "PS3.8 9.3"))
        }
        for i in instances where !i.confirmed && !dryRun {
            let why = i.error ?? i.status.map { "the peer answered \($0)" } ?? "not sent"
            out.append(FileSetProblem(.error, .sendFailed, "\(i.sopInstanceUID) not stored: \(why)", fileID: i.path, rule: "PS3.4 B.2.3"))
        }
        for i in instances where i.warning {
            out.append(
                FileSetProblem(.warning, .sendWarning, "\(i.sopInstanceUID) stored with warning \(i.status!)", fileID: i.path, rule: "PS3.4 B.2.3"))
        }
        return out
    }

    public var json: JSON {
        func opt(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
        return .object([
            ("peer", .string(peer)), ("service", .string(service)), ("dryRun", .bool(dryRun)),
            ("instances", .int(Int64(instances.count))), ("confirmed", .int(Int64(confirmed))), ("failed", .int(Int64(failed.count))),
            ("studyErrors", .array(studyErrors.map { .object([("studyInstanceUID", .string($0.study)), ("error", .string($0.error))]) })),
            (
                "sent",
                .array(
                    instances.map { i in
                        .object([
                            ("path", .string(i.path)), ("sopInstanceUID", .string(i.sopInstanceUID)), ("studyInstanceUID", .string(i.studyInstanceUID)),
                            ("confirmed", .bool(i.confirmed)), ("status", i.status.map { .int(Int64($0.rawValue)) } ?? .null),
                            ("statusName", opt(i.status?.name)), ("transferSyntax", opt(i.transferSyntax)), ("reencoded", .bool(i.reencoded)),
                            ("error", opt(i.error)),
                        ])
                    })
            ),
        ])
    }
}
