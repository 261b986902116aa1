import ArgumentParser
import MediaKit

/// `recover FILESET [--abort]`: finishes or rolls back the journal an interrupted create, update or remove left.
struct Recover: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "recover", "Finish (or with --abort roll back) the interrupted write a File-set's journal (.dicom-media/journal.json) records.",
        more: " The journal is validated first; one that names anything outside the File-set is refused untouched (exit 2).")
    @Argument(help: "The File-set folder or its DICOMDIR.") var fileSet: String
    @Flag(help: "Roll the interrupted write back: delete the files it created, keep the old DICOMDIR.") var abort = false
    @OptionGroup var lockWait: LockWaitOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        try runMedia {
            let r = try RecoverReport.recover(fileSet: fileSet, abort: abort, wait: lockWait.seconds)
            output.result(r.text, json: r.json)
            for s in r.notDeleted { printError("recover \(r.root): not deleted: \(s)") }
            if !r.notDeleted.isEmpty { throw ExitCode(Exit.problems) }
        }
    }
}
