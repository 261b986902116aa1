import DICOMCore
import DICOMNetwork
import DICOMStore
import Foundation

extension LocalStore {
    /// `send`: the stored instances of the given patients, studies and series (all when none is given) to `peer`,
    /// one association (or STOW-RS request) per study. Conflicting copies of one SOP Instance are all sent, each
    /// reported by its path. An empty selection is a `not-found` MediaError (the command exits 1, as `export` does).
    public func send(
        patients: [String], studies: [String], series: [String], to peer: NetworkPeer, dryRun: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> SendReport {
        let rows = try select(patients: patients, studies: studies, series: series)
        guard !rows.isEmpty else {
            let what = patients.map { "patient \($0)" } + studies.map { "study \($0)" } + series.map { "series \($0)" }
            throw MediaError(.notFound, what.isEmpty ? "the store is empty" : "nothing in the store matches " + what.joined(separator: ", "), path: root)
        }
        let outgoing = rows.map { row in
            let file = absolutePath(row)
            return OutgoingInstance(
                path: row.path, sopInstanceUID: row.sopInstanceUID, sopClassUID: row.sopClassUID, transferSyntaxUID: row.transferSyntaxUID,
                studyInstanceUID: row.studyInstanceUID, file: file, bytes: { [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) })
        }
        if dryRun { return NetworkSender.plan(outgoing, to: peer) }
        return try NetworkSender.send(outgoing, to: peer, progress: progress)
    }
}

extension NetworkSender {
    /// What a dry run would send: every instance, none contacted.
    static func plan(_ instances: [OutgoingInstance], to peer: NetworkPeer) -> SendReport {
        var report = SendReport(peer: peer.label, service: peer.usesDIMSE ? "C-STORE" : "STOW-RS", dryRun: true)
        report.instances = instances.map {
            SendReport.Instance(path: $0.path, sopInstanceUID: $0.sopInstanceUID, studyInstanceUID: $0.studyInstanceUID, transferSyntax: $0.transferSyntaxUID)
        }
        return report
    }
}
