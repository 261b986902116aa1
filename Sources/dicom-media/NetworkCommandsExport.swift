import ArgumentParser
import Foundation
import MediaKit

extension Export {
    /// `export OUT|--iso FILE --from NODE --study UID...`: the studies retrieved into a private temporary store (as `retrieve`
    /// stores them), then exported from it by the same plan and writers; the temporary store is removed after. A study not
    /// retrieved in full writes nothing (exit 1); a peer that cannot be reached, exit 2.
    func fetchThenExport(from node: String, options o: FileSetOptions) throws {
        let peer = try nodeOptions.peer(node)
        let folder = FileManager.default.temporaryDirectory.path + "/dicom-media-export-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store: LocalStore
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            store = try LocalStore(root: folder + "/store", create: true)
        } catch {
            printError("cannot create a temporary store in \(folder): \(error)"); throw ExitCode(Exit.unreadable)
        }
        let progress = output.progress()
        let report = try runNetwork {
            try NetworkRetriever.retrieve(
                studies: study, from: peer, method: peer.usesDIMSE ? .get : .wado, into: store,
                progress: progress.map { p in { @Sendable in p("retrieving", $0, $1) } })
        }
        if report.couldNotConnect, let first = report.studies.first?.error {
            printError(first); throw ExitCode(Exit.unreadable)
        }
        if report.hasProblems || report.retrieved == 0 {
            output.report(report.diagnostics)
            printError("\(report.peer): not every study was retrieved in full: nothing written (\(report.retrieved) instances retrieved)")
            throw ExitCode(Exit.problems)
        }
        if !output.quiet && !output.json { printError(report.text) }
        try export(from: store, options: o)
    }
}
