import ArgumentParser
import DICOMFileSet
import Foundation
import MediaKit
import FileSystem

/// `recover FILESET [--abort]`: finishes or rolls back the journal an interrupted create, update or remove left.
struct Recover: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finish (or with --abort roll back) the interrupted write a File-set's journal (.dicom-media/journal.json) records.",
        discussion: exitCodeHelp + " The journal is validated first; one that names anything outside the File-set is refused untouched (exit 2).")
    @Argument(help: "The File-set folder or its DICOMDIR.") var fileSet: String
    @Flag(help: "Roll the interrupted write back: delete the files it created, keep the old DICOMDIR.") var abort = false
    @OptionGroup var lockWait: LockWaitOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runMedia {
            var root = fileSet
            while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
            if !isDirectory(root), root.uppercased().hasSuffix("DICOMDIR") { root = String(root.dropLast("DICOMDIR".count)); if root.isEmpty { root = "." } }
            while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
            guard isDirectory(root) else { throw MediaError(.notFound, "no such File-set folder", path: fileSet) }
            // Journal recovery holds the File-set's lock like every writer.
            let r = try FileSetLock.with(root: root, wait: lockWait.seconds) { try FileSetTransaction.recover(root: root, abort: abort) }
            guard let r else {
                output.result("recover \(root): no interrupted write is pending",
                              json: .object([("root", .string(root)), ("pending", .bool(false))]))
                return
            }
            var skipped: [String] = []
            var outcome = "finished"
            switch r {
            case .finished(_, let s): skipped = s
            case .rolledBack: outcome = "rolledBack"
            }
            output.result("recover \(root): \(r.text)",
                          json: .object([("root", .string(root)), ("pending", .bool(true)), ("operation", .string(r.journal.operation)),
                                         ("started", .string(r.journal.started)), ("outcome", .string(outcome)),
                                         ("notDeleted", .array(skipped.map { .string($0) }))]))
            for s in skipped { printError("recover \(root): not deleted: \(s)") }
            if !skipped.isEmpty { throw ExitCode(Exit.problems) }
        }
    }
}
