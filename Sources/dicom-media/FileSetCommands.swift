import ArgumentParser
import MediaKit

/// `--wait SECONDS`: how long a writer waits for another one's lock on the File-set or store.
struct LockWaitOption: ParsableArguments {
    @Option(
        name: .customLong("wait"),
        help: ArgumentHelp(
            "Seconds to wait while another process holds the File-set's (or store's) lock; then give up with \"busy\", exit 2, nothing changed.",
            valueName: "seconds"))
    var seconds: Double = FileSetLock.defaultWait

    func validate() throws {
        if !(seconds >= 0 && seconds <= 86_400) { throw ValidationError("--wait must be 0-86400 seconds") }
    }
}

/// Options shared by create and update.
struct FileSetWriteOptions: ParsableArguments {
    @Option(
        help:
            "Media application profile (PS3.11), e.g. STD-GEN-CD, STD-GEN-DVD-JPEG, STD-GEN-USB-JPEG, PRI-GEN-USB (default STD-GEN-CD; update keeps the File-set's)."
    )
    var profile: String?
    @Option(help: "File ID layout: standard, arineta, or a template file (see templates/layouts/README.md).")
    var layout: String = "standard"
    @Option(name: .customLong("fileset-id"), help: "File-set ID (0004,1130): up to 16 of A-Z, 0-9, _.")
    var fileSetID: String?
    @Option(help: "A plain-text file to include as the File-set descriptor (README).")
    var descriptor: String?
    @Flag(help: "Add 64x64 (128x128 for XA profiles) Icon Image Sequences to IMAGE records.")
    var icons = false
    @Flag(help: "Refuse instances that lack a Type 1 key instead of inventing it.")
    var strict = false
    @Flag(name: .customLong("dry-run"), help: "Print the plan only; write nothing.")
    var dryRun = false
    @Option(name: .customLong("export-time"), help: "Export date and time YYYYMMDDHHMMSS (layouts, invented keys); default now.")
    var exportTime: String?
    @Option(name: .customLong("source-ae"), help: "Source Application Entity Title for the DICOMDIR's File Meta.")
    var sourceAE: String?
    @Option(
        help:
            "none, lossless or lossy: the syntaxes inputs the profile does not allow are transcoded to (default lossless: a lossless compressed syntax where the profile allows one, else Explicit VR LE). lossy must be asked for by name."
    )
    var compression: String = "lossless"
    @Flag(help: "Transcode inputs already in a syntax the profile allows too (to the syntax --compression picks).")
    var recompress = false
    @Option(help: "Lossy quality 1-100 for --compression lossy (JPEG default 90).")
    var quality: Int?
    @OptionGroup var transformOptions: TransformOptions
    @OptionGroup var lockWait: LockWaitOption

    func resolve() throws -> FileSetOptions {
        var r = FileSetRequest()
        r.profile = profile; r.layout = layout; r.fileSetID = fileSetID; r.descriptor = descriptor; r.icons = icons; r.strict = strict
        r.dryRun = dryRun; r.exportTime = exportTime; r.sourceAE = sourceAE; r.compression = compression; r.recompress = recompress
        r.quality = quality; r.lockWait = lockWait.seconds
        r.transform = try transformOptions.transform()
        return try usage { try r.resolve() }
    }
}

/// A `badArgument` MediaError of a use case's option check as ArgumentParser's usage error (exit 64).
func usage<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as MediaError where e.code == .badArgument { throw ValidationError(e.message) }
}

/// Prints a create/update/export report (results on stdout, diagnostics on stderr) and exits by the contract.
func finish(_ report: FileSetReport, output: OutputOptions, failOn: FailOnOption) throws {
    output.result(report.text, json: report.json)
    output.report(report.diagnostics)
    if report.nothingWritten { printError("\(report.root): no instances: nothing written") }
    try exitWith(failOn.code(partial: report.hasProblems, warnings: report.hasWarnings))
}

/// Runs a create or update (given the progress printer) and prints its report by the contract.
func report(output: OutputOptions, failOn: FailOnOption, _ body: ((@Sendable (String, Int, Int) -> Void)?) throws -> FileSetReport) throws {
    try runMedia { try finish(body(output.progress()), output: output, failOn: failOn) }
}

struct Create: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "create", "Create a File-set (DICOMDIR + files) from files, folders and other File-sets (File-set Creator, PS3.10 8.3).")
    @Argument(help: "Output folder (must not hold a File-set), or the folder to index with --in-place; with --iso, the first INPUT.") var out: String
    @Argument(help: "Input files, folders (recursive) or File-sets.") var inputs: [String] = []
    @Flag(name: .customLong("in-place"), help: "Index the files already laid out in OUT without copying (names must be conformant File IDs).")
    var inPlace = false
    @OptionGroup var options: FileSetWriteOptions
    @OptionGroup var media: MediaOutputOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption

    func validate() throws {
        if !inPlace && inputs.isEmpty && media.iso == nil { throw ValidationError("give at least one INPUT, or --in-place") }
    }
    func run() throws {
        var o = try options.resolve()
        o.inPlace = inPlace
        if media.requested {
            // With --iso every positional is an input (no OUT folder).
            try media.create(
                out: media.iso == nil ? out : nil, inputs: media.iso == nil ? inputs : [out] + inputs, options: o, output: output, failOn: failOn,
                inPlace: inPlace)
            return
        }
        try report(output: output, failOn: failOn) { try FileSetCreator.create(out: out, inputs: inputs, options: o, progress: $0) }
    }
}

struct Update: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "update", "Add instances to an existing File-set without touching its files (File-set Updater, PS3.10 8.3).")

    func run() throws {
        let o = try options.resolve()
        try report(output: output, failOn: failOn) { try FileSetCreator.update(fileSet: fileSet, inputs: inputs, options: o, progress: $0) }
    }

    @Argument(help: "The File-set folder or its DICOMDIR.") var fileSet: String
    @Argument(help: "Input files, folders or File-sets.") var inputs: [String]
    @OptionGroup var options: FileSetWriteOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption
}

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "remove", "Delete instances, series, studies or patients from a File-set, and records left without children.")

    func validate() throws {
        if instance.isEmpty && series.isEmpty && study.isEmpty && patient.isEmpty {
            throw ValidationError("give at least one of --instance, --series, --study, --patient")
        }
    }
    func run() throws {
        let sel =
            instance.map(RemovalSelector.instance) + series.map(RemovalSelector.series) + study.map(RemovalSelector.study)
            + patient.map(RemovalSelector.patient)
        try runMedia {
            let r = try FileSetRemover.remove(fileSet: fileSet, selectors: sel, dryRun: dryRun, wait: lockWait.seconds)
            output.result(r.text, json: r.json)
            output.report(r.diagnostics)
            if !r.notFound.isEmpty || !r.notDeleted.isEmpty { throw ExitCode(Exit.problems) }
        }
    }

    @Argument(help: "The File-set folder or its DICOMDIR.") var fileSet: String
    @Option(help: "SOP Instance UID to remove.") var instance: [String] = []
    @Option(help: "Series Instance UID to remove.") var series: [String] = []
    @Option(help: "Study Instance UID to remove.") var study: [String] = []
    @Option(help: "Patient ID to remove.") var patient: [String] = []
    @Flag(name: .customLong("dry-run"), help: "Print what would be removed.") var dryRun = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var lockWait: LockWaitOption
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "verify", "Check a File-set in one pass: DICOMDIR structure, records against files, File IDs, uniqueness, and the profile's rules.",
        more: " Each problem has a severity, a stable code, the File ID and the rule.")
    @Argument(help: "A File-set folder, a DICOMDIR file, or an ISO 9660 image (.iso) read without mounting.") var source: String
    @Option(help: "Also check the rules of this media application profile (e.g. STD-GEN-CD).") var profile: String?
    @Flag(
        help:
            "Also check the IHE PDI rules: README.TXT and INDEX.HTM present, 8.3 names outside the DICOM tree, DICOM files only in the File-set, IHE_PDI web content only."
    )
    var pdi = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption
    @Flag(help: "Also decode every frame of every referenced image (slow); a frame that does not decode is an error (frame-undecodable).")
    var deep = false
    @OptionGroup var inflateLimit: InflateLimitOption

    func run() throws {
        // An unknown profile name is a usage error (exit 64), as ArgumentParser's own.
        let p = try usage { try profile.map { try FileSetRequest.profile(named: $0) } }
        try runMedia {
            let progress = output.progress()
            let pr = progress.map { pr in { @Sendable in pr("checking", $0, $1) } }
            let r = try FileSetVerification.verify(source: source, profile: p, deep: deep, pdi: pdi, progress: pr)
            output.result(r.text, json: r.json)
            output.report(r.problems)
            try exitWith(failOn.code(partial: r.hasProblems, warnings: r.hasWarnings))
        }
    }
}

/// --deidentify, --allow-burned-in and --reconcile, shared by create, update, export and import.
struct TransformOptions: ParsableArguments {
    @Flag(
        help:
            "De-identify every instance (PS3.15 Basic Application Level Confidentiality Profile): only the de-identified copies are written (files and DICOMDIR, or the store)."
    )
    var deidentify = false
    @Flag(name: .customLong("allow-burned-in"), help: "With --deidentify, keep instances whose Burned In Annotation is YES (their pixels are not cleaned).")
    var allowBurnedIn = false
    @Option(
        help: ArgumentHelp(
            "Replace Patient ID, Name, Birth Date, Sex and Accession Number by local values per source Patient ID (IHE Import Reconciliation); originals go to Original Attributes Sequence.",
            discussion: "CSV header: source_patient_id,patient_id,patient_name,birth_date,sex,accession_number (blank = keep).", valueName: "MAP.csv"))
    var reconcile: String?
    @OptionGroup var inflateLimit: InflateLimitOption

    /// The transforms asked for, reconcile first (nil when neither); `key` fixes the de-identification UID map.
    func transform(key: [UInt8]? = nil) throws -> (any InstanceTransform)? {
        if allowBurnedIn && !deidentify { throw ValidationError("--allow-burned-in goes with --deidentify") }
        var chain: [any InstanceTransform] = []
        if let path = reconcile {
            do { chain.append(try Reconciler(csvPath: path)) } catch {
                printError("\(error)"); throw ExitCode(Exit.unreadable)
            }
        }
        if deidentify { chain.append(Deidentifier(.init(allowBurnedIn: allowBurnedIn, key: key))) }
        return chain.isEmpty ? nil : chain.count == 1 ? chain[0] : TransformChain(chain)
    }
}
