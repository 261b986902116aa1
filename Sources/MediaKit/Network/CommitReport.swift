import DICOMCore
import DICOMFileSet
import DICOMNetwork

/// What Storage Commitment (`import --to NODE --commit`) answered for the instances the peer had confirmed (PS3.4 Annex J).
public struct CommitReport: Sendable {
    public var peer: String
    /// The instances asked for.
    public var requested: [SOPReference]
    /// The result, when one came.
    public var result: StorageCommitmentResult?
    /// Why there is no result: the request was refused, no association, or no report within the timeout.
    public var error: String?

    public var committed: Int { result?.committed.count ?? 0 }
    /// Each instance not committed and why: its Failure Reason, or not in the result, or no result at all.
    public var failures: [(uid: String, why: String)] {
        if let error { return requested.map { ($0.sopInstanceUID, error) } }
        guard let result else { return [] }
        var out = result.failed.map { ($0.reference.sopInstanceUID, "Failure Reason \($0.reason)") }
        let named = Set(result.committed.map(\.sopInstanceUID) + result.failed.map(\.reference.sopInstanceUID))
        out += requested.filter { !named.contains($0.sopInstanceUID) }.map { ($0.sopInstanceUID, "not in the Storage Commitment result") }
        return out
    }
    public var hasProblems: Bool { !failures.isEmpty }

    public var summary: String {
        let how = result.map { $0.onRequestAssociation ? " (report on the request's association)" : " (report on a new association)" } ?? ""
        return "committed \(committed) of \(requested.count) instances by \(peer)\(how); failed \(failures.count)"
    }

    /// One error per instance not committed.
    public var diagnostics: [FileSetProblem] {
        failures.map { FileSetProblem(.error, .commitFailed, "\($0.uid) not committed: \($0.why)", rule: "PS3.4 J.3.3") }
    }

    public var json: JSON {
        .object([
            ("requested", .int(Int64(requested.count))), ("committed", .int(Int64(committed))), ("failed", .int(Int64(failures.count))),
            ("transactionUID", result.map { .string($0.transactionUID) } ?? .null),
            ("onRequestAssociation", result.map { .bool($0.onRequestAssociation) } ?? .null), ("error", error.map { .string($0) } ?? .null),
            ("failures", .array(failures.map { .object([("sopInstanceUID", .string($0.uid)), ("reason", .string($0.why))]) })),
        ])
    }
}

extension NetworkPeer {
    /// Asks Storage Commitment for `references` and waits up to `timeout` seconds for the result: on a new association to our
    /// listener on `listenPort` (bound as our AE title before the request), else on the request's association. Never throws:
    /// a failure is the report's `error`.
    public func commit(_ references: [SOPReference], listenHost: String = "127.0.0.1", listenPort: Int?, timeout: Double) -> CommitReport {
        var report = CommitReport(peer: label, requested: references)
        let peer = self
        do {
            report.result = try Blocking.run {
                let (host, port, ae) = try peer.dimse(for: "Storage Commitment")
                let scu = StorageCommitmentSCU()
                var listener: AssociationListener?
                if let listenPort {
                    let policy = AcceptorPolicy(aeTitle: peer.callingAETitle, maximumAssociations: 4)
                    listener = try await AssociationListener.bind(host: listenHost, port: listenPort, policy: policy, services: [scu])
                }
                do {
                    let result = try await scu.commit(
                        references, host: host, port: port, callingAETitle: peer.callingAETitle, calledAETitle: ae,
                        timeout: .milliseconds(Int64(timeout * 1000)), tls: peer.tlsOptions)
                    await listener?.close()
                    return result
                } catch {
                    await listener?.close()
                    throw error
                }
            }
        } catch {
            report.error = "\(naming(error))"
        }
        return report
    }
}
