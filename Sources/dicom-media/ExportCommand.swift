import ArgumentParser
import MediaKit

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "export", "Write studies from the local store to a File-set folder (USB stick) or an ISO image, through the same plan and writers as create.",
        more:
            " Without --patient/--study/--series the whole store is exported. Conflicting copies (same SOP Instance UID, other content) are left out and named on stderr."
    )
    @Argument(help: "Output folder (must not hold a File-set); leave out with --iso.") var out: String?
    @Option(help: "Patient ID to export (repeatable).") var patient: [String] = []
    @Option(help: "Study Instance UID to export (repeatable).") var study: [String] = []
    @Option(help: "Series Instance UID to export (repeatable).") var series: [String] = []
    @OptionGroup var options: FileSetWriteOptions
    @OptionGroup var media: MediaOutputOptions
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption
    @Option(
        help: ArgumentHelp(
            "Fetch the --study UIDs from this peer (C-GET, or WADO-RS for a DICOMweb node) into a temporary store and export them from there.",
            valueName: "NODE"))
    var from: String?
    @OptionGroup var nodeOptions: NodeOptions

    func validate() throws {
        if out == nil && media.iso == nil { throw ValidationError("give an output folder OUT, or --iso FILE") }
        if out != nil && media.iso != nil { throw ValidationError("give either an output folder or --iso FILE, not both") }
        if from != nil && (study.isEmpty || !patient.isEmpty || !series.isEmpty || storeOption.store != nil) {
            throw ValidationError("--from takes --study UIDs, and no --patient, --series or --store")
        }
    }

    func run() throws {
        let o = try options.resolve()
        if let from { return try fetchThenExport(from: from, options: o) }
        try export(from: try storeOption.open(create: false), options: o)
    }

    /// Exports the selection from `store`.
    func export(from store: LocalStore, options o: FileSetOptions) throws {
        // Messages name the patient, study, instance and original source, never the store's object paths.
        let selection: StoreExport
        do { selection = try StoreExport.select(store, patients: patient, studies: study, series: series) } catch let e as MediaError {
            printError(e.description); throw ExitCode(Exit.unreadable)
        }
        let (paths, names, leftOut) = (selection.paths, selection.names, selection.leftOut)
        guard !paths.isEmpty else {
            for l in leftOut { printError("\(l.source): \(l.reason)") }
            printError("\(store.root): no instances: nothing written (nothing in the store matches the selection)")
            throw ExitCode(Exit.problems)
        }
        if media.requested {
            try media.create(out: out, inputs: paths, options: o, output: output, failOn: failOn, inPlace: false, sourceNames: names, refused: leftOut)
        } else {
            try runMedia {
                var r = try FileSetCreator.create(out: out!, inputs: paths, options: o, progress: output.progress())
                r.nameSources(names)
                r.refused += leftOut
                try finish(r, output: output, failOn: failOn)
            }
        }
    }

}
