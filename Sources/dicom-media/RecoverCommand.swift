import ArgumentParser
import DICOMFileSet
import Foundation
import MediaKit

/// `recover FILESET [--abort]`: finishes or rolls back the journal an interrupted create, update or remove left.
struct Recover: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Finish (or with --abort roll back) the interrupted write a File-set's journal (.dicom-media/journal.json) records.",
        discussion: exitCodeHelp + " The journal is validated first; one that names anything outside the File-set is refused untouched (exit 2).")
    @Argument(help: "The File-set folder or its DICOMDIR.") var fileSet: String
    @Flag(help: "Roll the interrupted write back: delete the files it created, keep the old DICOMDIR.") var abort = false

    func run() throws {
        try runMedia {
            var root = fileSet
            while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
            if !isDirectory(root), root.uppercased().hasSuffix("DICOMDIR") { root = String(root.dropLast("DICOMDIR".count)); if root.isEmpty { root = "." } }
            while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
            guard isDirectory(root) else { throw MediaError(.notFound, "no such File-set folder", path: fileSet) }
            guard let r = try FileSetTransaction.recover(root: root, abort: abort) else {
                print("recover \(root): no interrupted write is pending")
                return
            }
            print("recover \(root): \(r.text)")
            if case .finished(_, let skipped) = r, !skipped.isEmpty { throw ExitCode(Exit.problems) }
        }
    }
}
