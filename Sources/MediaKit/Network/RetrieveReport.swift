import DICOMCore
import DICOMFileSet
import DICOMNetwork

/// How `retrieve` fetches: C-GET on our association, C-MOVE to our own listener, or WADO-RS.
public enum RetrieveMethod: String, Sendable, CaseIterable {
    case get, move, wado
}

/// What `retrieve` did per study: the peer's final status and counters, and the instances stored in the local store.
public struct RetrieveReport: Sendable {
    /// One study asked for.
    public struct Study: Sendable {
        public var studyInstanceUID: String
        /// The final C-GET/C-MOVE-RSP status (nil for WADO-RS, or when no association was made).
        public var status: DIMSEStatus?
        /// The peer's sub-operation counters in its final response.
        public var counts: SubOperationCounts?
        /// Instances stored in the local store (success or warning).
        public var stored: [String] = []
        /// Instances received but not stored, and why.
        public var notStored: [(uid: String, why: String)] = []
        /// Why the study failed as a whole (no association, a failure status, a WADO-RS error).
        public var error: String?

        public init(studyInstanceUID: String) { self.studyInstanceUID = studyInstanceUID }

        /// Failed sub-operations: the peer's count, or our refusals when more.
        var failed: Int { max(Int(counts?.failed ?? 0), notStored.count) }
        var warnings: Int { Int(counts?.warning ?? 0) }
        /// Done in full: stored something or nothing to store, no failure status, nothing failed.
        var complete: Bool { error == nil && failed == 0 && (status.map { $0.isSuccess } ?? true) }
    }

    public var peer: String
    public var method: RetrieveMethod
    /// C-MOVE: the destination AE title (ours) and the port of our listener.
    public var destination: String?
    public var store: String
    public var studies: [Study] = []

    public var retrieved: Int { studies.reduce(0) { $0 + $1.stored.count } }
    public var failed: Int { studies.reduce(0) { $0 + $1.failed } }
    public var warnings: Int { studies.reduce(0) { $0 + $1.warnings } }
    /// Some study was not retrieved in full.
    public var hasProblems: Bool { studies.contains { !$0.complete } }
    /// No study could be asked for: no association or request could be made (exit 2).
    public var couldNotConnect: Bool { !studies.isEmpty && studies.allSatisfy { $0.status == nil && $0.error != nil && $0.stored.isEmpty } }

    /// One line per study, then the summary.
    public var text: String {
        var lines = studies.map { s in
            var l = "study \(s.studyInstanceUID): stored \(s.stored.count)"
            if let c = s.counts {
                l += " (peer: completed \(c.completed ?? 0), failed \(c.failed ?? 0), warning \(c.warning ?? 0))"
            }
            if let st = s.status { l += ", final status \(st)" }
            return l
        }
        lines.append(
            "retrieved \(retrieved) instances (\(studies.count) \(studies.count == 1 ? "study" : "studies")) from \(peer) by \(method.service) into \(store); failed \(failed), warnings \(warnings)"
        )
        return lines.joined(separator: "\n")
    }

    /// The studies not retrieved in full and the instances not stored, for stderr.
    public var diagnostics: [FileSetProblem] {
        var out: [FileSetProblem] = []
        for s in studies {
            if let e = s.error {
                out.append(FileSetProblem(.error, .retrieveFailed, "study \(s.studyInstanceUID): \(e)", rule: "PS3.4 C.4.2"))
            } else if !s.complete {
                out.append(
                    FileSetProblem(
                        .error, .retrieveFailed,
                        "study \(s.studyInstanceUID): \(s.failed) sub-operations failed, final status \(s.status.map { "\($0)" } ?? "?")",
                        rule: "PS3.4 C.4.2"))
            }
            for n in s.notStored {
                out.append(FileSetProblem(.error, .retrieveFailed, "\(n.uid) not stored: \(n.why)", rule: "PS3.4 C.4.3"))
            }
        }
        return out
    }

    public var json: JSON {
        func count(_ v: UInt16?) -> JSON { v.map { .int(Int64($0)) } ?? .null }
        return .object([
            ("peer", .string(peer)), ("method", .string(method.rawValue)), ("service", .string(method.service)),
            ("destination", destination.map { .string($0) } ?? .null), ("store", .string(store)),
            ("retrieved", .int(Int64(retrieved))), ("failed", .int(Int64(failed))), ("warnings", .int(Int64(warnings))),
            (
                "studies",
                .array(
                    studies.map { s in
                        .object([
                            ("studyInstanceUID", .string(s.studyInstanceUID)), ("status", s.status.map { .int(Int64($0.rawValue)) } ?? .null),
                            ("statusName", s.status.map { .string($0.name) } ?? .null), ("completed", count(s.counts?.completed)),
                            ("failed", count(s.counts?.failed)), ("warning", count(s.counts?.warning)),
                            ("stored", .array(s.stored.map { .string($0) })),
                            ("notStored", .array(s.notStored.map { .object([("sopInstanceUID", .string($0.uid)), ("error", .string($0.why))]) })),
                            ("error", s.error.map { .string($0) } ?? .null),
                        ])
                    })
            ),
        ])
    }
}

extension RetrieveMethod {
    /// The service's name in reports.
    public var service: String {
        switch self {
        case .get: "C-GET"
        case .move: "C-MOVE"
        case .wado: "WADO-RS"
        }
    }
}

/// What `retrieve --dry-run` found: per study whether the peer has it and its Number of Study Related Instances (C-FIND or QIDO-RS).
public struct RetrievePlan: Sendable {
    public var peer: String
    /// Each study asked for: found at the peer, and its instance count when the peer gave one.
    public var studies: [(uid: String, found: Bool, instances: String?)] = []

    /// Some study is not at the peer.
    public var hasProblems: Bool { studies.contains { !$0.found } }

    public var text: String {
        (studies.map { s in
            "study \(s.uid): " + (s.found ? "would retrieve \(s.instances.map { "\($0) instances" } ?? "its instances")" : "not found")
        } + ["would retrieve \(studies.filter(\.found).count) of \(studies.count) studies from \(peer); nothing written"]).joined(separator: "\n")
    }

    public var json: JSON {
        .object([
            ("peer", .string(peer)), ("dryRun", .bool(true)),
            (
                "studies",
                .array(
                    studies.map {
                        .object([("studyInstanceUID", .string($0.uid)), ("found", .bool($0.found)), ("instances", $0.instances.map { .string($0) } ?? .null)])
                    })
            ),
        ])
    }
}

extension NetworkRetriever {
    /// `retrieve --dry-run`: a study-level search for each study; nothing is retrieved or written.
    public static func plan(studies: [String], from peer: NetworkPeer) throws -> RetrievePlan {
        var plan = RetrievePlan(peer: peer.label)
        for uid in studies {
            var request = FindRequest()
            request.studyInstanceUID = uid
            let found = try peer.find(request)
            if found.failed { throw NetworkError(.unexpectedResponse, "\(peer.label): C-FIND answered \(found.status.map { "\($0)" } ?? "?")") }
            let column = found.columns.firstIndex(of: .numberOfStudyRelatedInstances)
            let row = found.rows.first
            plan.studies.append((uid, row != nil, row.flatMap { r in column.map { r[$0] } }.flatMap { $0.isEmpty ? nil : $0 }))
        }
        return plan
    }
}
