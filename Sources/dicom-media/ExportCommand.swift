import ArgumentParser
import DICOMStore
import Foundation
import MediaKit

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write studies from the local store to a File-set folder (USB stick) or an ISO image, through the same plan and writers as create.",
        discussion: exitCodeHelp + " Without --patient/--study/--series the whole store is exported. Conflicting copies (same SOP Instance UID, other content) are left out and named on stderr.")
    @Argument(help: "Output folder (must not hold a File-set); leave out with --iso.") var out: String?
    @Option(help: "Patient ID to export (repeatable).") var patient: [String] = []
    @Option(help: "Study Instance UID to export (repeatable).") var study: [String] = []
    @Option(help: "Series Instance UID to export (repeatable).") var series: [String] = []
    @OptionGroup var options: FileSetWriteOptions
    @OptionGroup var media: MediaOutputOptions
    @OptionGroup var storeOption: StoreOption

    func validate() throws {
        if out == nil && media.iso == nil { throw ValidationError("give an output folder OUT, or --iso FILE") }
        if out != nil && media.iso != nil { throw ValidationError("give either an output folder or --iso FILE, not both") }
    }

    func run() throws {
        let o = try options.resolve()
        let store = try storeOption.open(create: false)
        let rows: [StoredInstance]
        do { rows = try store.select(patients: patient, studies: study, series: series) } catch {
            printError("\(store.root): \(error)"); throw ExitCode(Exit.unreadable)
        }
        let conflicts = rows.filter(\.conflict)
        for c in conflicts {
            printError("\(store.absolutePath(c)): conflicting copy of SOP Instance \(c.sopInstanceUID) left out (compare with `dicom-media store conflicts`, keep one with `dicom-media store remove UID --copy SHA256`)")
        }
        let paths = rows.filter { !$0.conflict }.map(store.absolutePath)
        guard !paths.isEmpty else {
            printError("\(store.root): no instances: nothing written (nothing in the store matches the selection)")
            throw ExitCode(Exit.problems)
        }
        if media.requested {
            try media.create(out: out, inputs: paths, options: o, json: options.json, inPlace: false)
        } else {
            try runMedia { try finish(FileSetCreator.create(out: out!, inputs: paths, options: o, progress: progressPrinter()), json: options.json) }
        }
        if !conflicts.isEmpty { throw ExitCode(Exit.problems) }
    }
}
