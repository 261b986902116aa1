import ArgumentParser
import MediaKit

/// `--store DIR`, shared by import and the store commands.
struct StoreOption: ParsableArguments {
    @Option(help: "The store folder (default: $DICOM_MEDIA_STORE, else $XDG_DATA_HOME/dicom-media, ~/.local/share/dicom-media).")
    var store: String?

    func location() throws -> String {
        do { return try LocalStore.location(explicit: store) } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Opens the store; with `reconcile`, first cleans up after a run that was killed (its private
    /// temporary folder, orphan files), when no other process uses the store.
    func open(create: Bool, reconcile: Bool = true, lockWait: Double? = nil) throws -> LocalStore {
        let root = try location()
        let store: LocalStore
        do { store = try LocalStore(root: root, create: create, lockWait: lockWait) } catch {
            printError("\(error)"); throw ExitCode(Exit.unreadable)
        }
        if reconcile, let line = store.reconcileIfIdle() { printError(line) }
        return store
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "import", "Import media into the local store: File-set folders or mounted discs, DICOMDIR files, plain folders of files.",
        more:
            " Exit 1 when files are missing, unreadable or conflicting, or a DICOMDIR is stale or broken; not-DICOM files alone (viewers, autorun) are listed but are no problem. --json: imported, alreadyPresent, conflicts, missing, failed, notDicom, media, the lists and problems."
    )
    @Argument(help: "Sources: a File-set folder or mounted disc, a DICOMDIR path, or a folder of files.") var sources: [String]
    @Flag(name: .customLong("dry-run"), help: "Report what would be imported; write nothing.") var dryRun = false
    @OptionGroup var transformOptions: TransformOptions
    @Option(help: Import.provenanceHelp) var provenance: String?
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption
    @OptionGroup var lockWait: LockWaitOption
    @Option(
        help: ArgumentHelp(
            "Send the instances to this peer instead of the store (AE@host:port, an http(s)://.../dicom-web base URL, or a node name): one association or STOW-RS request per study.",
            valueName: "NODE"))
    var to: String?
    @OptionGroup var nodeOptions: NodeOptions
    @OptionGroup var sendOptions: SendOptions

    private static let provenanceHelp = ArgumentHelp(
        "What the store keeps of each instance's origin: full (medium path, File-set ID and UID, File ID, path), label (the medium's File-set ID only), hash (a keyed token of the medium only).",
        discussion: "Default: hash with --deidentify or --reconcile, else full.", valueName: "full|label|hash")

    func validate() throws {
        if let p = provenance, ProvenanceMode(rawValue: p) == nil { throw ValidationError("--provenance is full, label or hash, not '\(p)'") }
        if to != nil && (provenance != nil || storeOption.store != nil) { throw ValidationError("--provenance and --store go with the store, not with --to") }
        if to == nil && (sendOptions.commit || sendOptions.reconcileWorklist != nil) {
            throw ValidationError("--commit and --reconcile-worklist go with --to")
        }
    }

    func run() throws {
        if let to { return try send(to: to) }
        let media: [any MediumReader]
        do { media = try sources.map(MediumOpener.open) } catch {
            printError("\(error)"); throw ExitCode(Exit.unreadable)
        }
        let root = try storeOption.location()
        let options = try LocalStore.importOptions(
            root: root, dryRun: dryRun, deidentify: transformOptions.deidentify, reconcile: transformOptions.reconcile != nil,
            provenance: provenance.flatMap(ProvenanceMode.init(rawValue:)), transform: { try transformOptions.transform(key: $0) })
        // The import reconciles an interrupted run itself (and reports it).
        let store = !dryRun || LocalStore.exists(root) ? try storeOption.open(create: !dryRun, reconcile: false, lockWait: lockWait.seconds) : nil
        let progress = output.progress()
        try runMedia {
            let report = try LocalStore.importMedia(
                media, into: store, root: root, options: options,
                progress: progress.map { p in { @Sendable [dryRun] in p(dryRun ? "checking" : "importing", $0, $1) } })
            output.result(report.text, json: report.json)
            output.report(report.diagnostics)
            try exitWith(failOn.code(partial: report.hasProblems, warnings: report.hasWarnings))
        }
    }
}

/// Prints a store command's report; its error line on stderr and exit 1 when it found a problem.
func finish(_ report: some StoreReport, output: OutputOptions) throws {
    output.result(report.text, json: report.json)
    if let error = report.error { printError(error); throw ExitCode(Exit.problems) }
}

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Look after the local store: list, show, conflicts, remove, verify.",
        subcommands: [StoreList.self, StoreShow.self, StoreConflicts.self, StoreRemove.self, StoreVerify.self])
}

struct StoreList: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "list", "Print the store's patient/study/series/instance tree (JSON: the shape of `list --json`).")
    @Option(help: "Only this Patient ID (repeatable).") var patient: [String] = []
    @Option(help: "Only this Study Instance UID (repeatable).") var study: [String] = []
    @Option(help: "Only this Series Instance UID (repeatable).") var series: [String] = []
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try storeOption.open(create: false)
        try runMedia {
            let report = try store.list(patients: patient, studies: study, series: series)
            output.result(report.text, jsonBytes: report.jsonDocument)
        }
    }
}

struct StoreShow: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "show", "Print the stored instances of a study, series or SOP Instance UID (or Patient ID), with provenance.")
    @Argument(help: "Study, series or SOP Instance UID, or Patient ID.") var uid: String
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try storeOption.open(create: false)
        try runMedia {
            let report = try store.show(uid)
            if report.isEmpty { printError("\(uid): not in the store"); throw ExitCode(Exit.problems) }
            if output.json { Console.shared.document(utf8: report.jsonDocument); return }
            if output.quiet { return }
            print(report.text)
            for line in report.copyLines { print(line) }
        }
    }
}

struct StoreConflicts: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "conflicts", "List each SOP Instance stored in several copies (same UID, other content): SHA-256, source and import time of each copy.",
        more:
            " Exit 1 when there are conflicts. Keep one copy with `dicom-media store remove UID --copy SHA256`. --json: {conflicts: [{sopInstanceUID, patientID, studyInstanceUID, seriesInstanceUID, copies: [{sha256, size, path, conflict, importedAt, transferSyntaxUID, source}]}]}."
    )
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try storeOption.open(create: false)
        try runMedia {
            try finish(store.conflicts(), output: output)
        }
    }
}

struct StoreRemove: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "remove", "Delete a study, series or instance from the store (index rows, then files), or one copy of an instance (--copy).",
        more: " A plain UID removes every copy; to keep one of conflicting copies give --copy (see `dicom-media store conflicts`).")
    @Argument(help: "Study, series or SOP Instance UID.") var uid: String
    @Option(help: ArgumentHelp("Remove only this copy of the SOP Instance UID: its SHA-256 (or a unique prefix of at least 8 digits).", valueName: "SHA256"))
    var copy: String?
    @Flag(name: .customLong("dry-run"), help: "Print exactly what would be removed; change nothing.") var dryRun = false
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var lockWait: LockWaitOption

    func run() throws {
        let store = try storeOption.open(create: false, reconcile: !dryRun)
        store.setLockWait(lockWait.seconds)
        try runMedia {
            try finish(store.remove(uid: uid, copy: copy, dryRun: dryRun), output: output)
        }
    }
}

struct StoreVerify: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "verify", "Check the store: every file present with its size and SHA-256, index consistent with the files, no orphans.")
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var lockWait: LockWaitOption

    func run() throws {
        let store = try storeOption.open(create: false, reconcile: false)
        store.setLockWait(lockWait.seconds)
        try runMedia {
            let progress = output.progress()
            let report = try store.verify(progress: progress.map { p in { @Sendable in p("checking", $0, $1) } })
            output.result(report.text, json: report.json)
            // Problems on stderr (every one is an error: a file missing, damaged or unindexed).
            for line in report.errors { printError(line) }
            // Leftovers of a killed run were reported above; clean them up now (private data).
            if report.interrupted, let line = store.reconcileIfIdle() { printError(line) }
            if report.hasProblems { throw ExitCode(Exit.problems) }
        }
    }
}
