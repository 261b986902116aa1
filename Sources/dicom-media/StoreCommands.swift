import ArgumentParser
import DICOMCore
import DICOMFileSet
import DICOMStore
import MediaKit
import FileSystem
#if canImport(Glibc)
import Glibc
#endif

/// `--store DIR`, shared by import and the store commands.
struct StoreOption: ParsableArguments {
    @Option(help: "The store folder (default: $DICOM_MEDIA_STORE, else $XDG_DATA_HOME/dicom-media, ~/.local/share/dicom-media).")
    var store: String?

    func location() throws -> String {
        do { return try StoreLocation.resolve(explicit: store, environment: StoreLocation.processEnvironment()) } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Opens the store; with `reconcile`, first cleans up after a run that was killed (its private
    /// temporary folder, orphan files), when no other process uses the store.
    func open(create: Bool, reconcile: Bool = true) throws -> DICOMStore {
        let root = try location()
        let store: DICOMStore
        do { store = try DICOMStore(root: root, create: create) } catch {
            printError("\(error)"); throw ExitCode(Exit.unreadable)
        }
        if reconcile { StoreOption.reconcile(store) }
        return store
    }

    /// Reconciles after an interrupted run (see ``DICOMStore/reconcileIfIdle()``), saying so on stderr.
    static func reconcile(_ store: DICOMStore) {
        do {
            if let r = try store.reconcileIfIdle(), r.interrupted {
                printError("\(store.root): recovered an interrupted run: \(r.tmpRemoved) temporary, \(r.orphanFilesRemoved) orphan files and \(r.rowsWithoutFileRemoved) rows without file removed")
            }
        } catch {
            printError("\(store.root): cannot recover an interrupted run: \(error)")
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import media into the local store: File-set folders or mounted discs, DICOMDIR files, plain folders of files.",
        discussion: exitCodeHelp + " Exit 1 when files are missing, unreadable or conflicting, or a DICOMDIR is stale or broken; not-DICOM files alone (viewers, autorun) are listed but are no problem. --json: imported, alreadyPresent, conflicts, missing, failed, notDicom, media, the lists and problems.")
    @Argument(help: "Sources: a File-set folder or mounted disc, a DICOMDIR path, or a folder of files.") var sources: [String]
    @Flag(name: .customLong("dry-run"), help: "Report what would be imported; write nothing.") var dryRun = false
    @OptionGroup var transformOptions: TransformOptions
    @Option(help: ArgumentHelp("What the store keeps of each instance's origin: full (medium path, File-set ID and UID, File ID, path), label (the medium's File-set ID only), hash (a keyed token of the medium only).",
                               discussion: "Default: hash with --deidentify or --reconcile, else full.", valueName: "full|label|hash"))
    var provenance: String?
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption
    @OptionGroup var lockWait: LockWaitOption

    func validate() throws {
        if let p = provenance, ProvenanceMode(rawValue: p) == nil { throw ValidationError("--provenance is full, label or hash, not '\(p)'") }
    }

    func run() throws {
        let media: [MediumReader]
        do { media = try sources.map(MediumOpener.open) } catch {
            printError("\(error)"); throw ExitCode(Exit.unreadable)
        }
        let root = try storeOption.location()
        var options = ImportOptions()
        options.dryRun = dryRun
        // The store keeps its de-identification key: the same original gets the same new UIDs in every import.
        let key = transformOptions.deidentify ? try StoreImporter.deidentificationKey(storeRoot: root, create: !dryRun) : nil
        options.transform = try transformOptions.transform(key: key)
        // De-identified or reconciled imports keep no original path, File ID or UID unless asked to.
        let rewrites = transformOptions.deidentify || transformOptions.reconcile != nil
        options.provenance = provenance.flatMap(ProvenanceMode.init(rawValue:)) ?? (rewrites ? .hash : .full)
        if options.provenance != .full { options.provenanceKey = try StoreImporter.deidentificationKey(storeRoot: root, create: !dryRun) }
        // Files per durability barrier; smaller values only for tests that kill imports between batches.
        if let b = StoreLocation.processEnvironment()["DICOM_MEDIA_IMPORT_BATCH"].flatMap(Int.init), b > 0 { options.batchSize = b }
        var store: DICOMStore?
        // The import reconciles an interrupted run itself (and reports it).
        if !dryRun || isDirectory(root) { store = try storeOption.open(create: !dryRun, reconcile: false); store?.lockWait = lockWait.seconds }
        let progress = output.progress()
        try runMedia {
            let report = try StoreImporter.run(media: media, store: store, storeRoot: root, options: options,
                                               progress: progress.map { p in { p(dryRun ? "checking" : "importing", $0, $1) } })
            output.result(report.text, json: report.json)
            output.report(report.diagnostics)
            try exitWith(failOn.code(partial: report.hasProblems, warnings: report.hasWarnings))
        }
    }
}

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Look after the local store: list, show, conflicts, remove, verify.",
        subcommands: [StoreList.self, StoreShow.self, StoreConflicts.self, StoreRemove.self, StoreVerify.self])
}

struct StoreList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print the store's patient/study/series/instance tree (JSON: the shape of `list --json`).",
        discussion: exitCodeHelp)
    @Option(help: "Only this Patient ID (repeatable).") var patient: [String] = []
    @Option(help: "Only this Study Instance UID (repeatable).") var study: [String] = []
    @Option(help: "Only this Series Instance UID (repeatable).") var series: [String] = []
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try storeOption.open(create: false)
        try runMedia {
            let rows = try store.select(patients: patient, studies: study, series: series)
            output.result(StoreListing.text(rows), json: StoreListing.json(rows, store: store))
        }
    }
}

struct StoreShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the stored instances of a study, series or SOP Instance UID (or Patient ID), with provenance.",
        discussion: exitCodeHelp)
    @Argument(help: "Study, series or SOP Instance UID, or Patient ID.") var uid: String
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try storeOption.open(create: false)
        try runMedia {
            let rows = try store.select(patients: [uid], studies: [uid], series: [uid], instances: [uid])
            if rows.isEmpty { printError("\(uid): not in the store"); throw ExitCode(Exit.problems) }
            if output.json { printDocument(StoreListing.json(rows, store: store)); return }
            if output.quiet { return }
            print(StoreListing.text(rows))
            for r in rows {
                print("\(r.sopInstanceUID): \(r.size) bytes, SHA-256 \(r.sha256), \(r.transferSyntaxUID), imported \(r.importedAt) from \(origin(r))"
                      + (r.conflict ? " (CONFLICT: differs from an earlier copy; see `dicom-media store conflicts`)" : ""))
            }
        }
    }
}

/// Where a stored copy came from, as its provenance columns say (only what the import kept).
func origin(_ r: StoredInstance) -> String {
    var s = "\(r.sourceKind) \(r.sourceLocation)"
    if let id = r.sourceFileSetID { s += " File-set \(id.isEmpty ? "(no ID)" : id)" }
    if let f = r.sourceFileID { s += " File ID \(f)" } else if !r.sourcePath.isEmpty { s += " path \(r.sourcePath)" }
    return s
}

/// A stored copy in JSON: hash, size, stored path, flag, import time and provenance.
func copyJSON(_ r: StoredInstance) -> JSON {
    func opt(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
    return .object([
        ("sha256", .string(r.sha256)), ("size", .int(Int64(r.size))), ("path", .string(r.path)), ("conflict", .bool(r.conflict)),
        ("importedAt", .string(r.importedAt)), ("transferSyntaxUID", .string(r.transferSyntaxUID)),
        ("source", .object([("kind", .string(r.sourceKind)), ("location", .string(r.sourceLocation)), ("fileSetID", opt(r.sourceFileSetID)),
                            ("fileSetUID", opt(r.sourceFileSetUID)), ("fileID", opt(r.sourceFileID)),
                            ("path", r.sourcePath.isEmpty ? .null : .string(r.sourcePath))])),
    ])
}

struct StoreConflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List each SOP Instance stored in several copies (same UID, other content): SHA-256, source and import time of each copy.",
        discussion: exitCodeHelp + " Exit 1 when there are conflicts. Keep one copy with `dicom-media store remove UID --copy SHA256`. --json: {conflicts: [{sopInstanceUID, patientID, studyInstanceUID, seriesInstanceUID, copies: [{sha256, size, path, conflict, importedAt, transferSyntaxUID, source}]}]}.")
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try storeOption.open(create: false)
        try runMedia {
            let groups = try store.conflicts()
            var lines: [String] = []
            for g in groups {
                lines.append("\(g[0].sopInstanceUID) (patient \(g[0].patientID)): \(g.count) copies")
                for r in g {
                    lines.append("  \(r.sha256)  \(r.size) bytes, imported \(r.importedAt) from \(origin(r))\(r.conflict ? " (flagged)" : "")")
                }
            }
            lines.append("\(groups.count) SOP Instance(s) with several copies" + (groups.isEmpty ? "" : "; keep one with `dicom-media store remove UID --copy SHA256`"))
            output.result(lines.joined(separator: "\n"), json: .object([("conflicts", .array(groups.map { g in
                .object([("sopInstanceUID", .string(g[0].sopInstanceUID)), ("patientID", .string(g[0].patientID)),
                         ("studyInstanceUID", .string(g[0].studyInstanceUID)), ("seriesInstanceUID", .string(g[0].seriesInstanceUID)),
                         ("copies", .array(g.map(copyJSON)))])
            }))]))
            if !groups.isEmpty {
                printError("\(store.root): \(groups.count) SOP Instance(s) stored in conflicting copies")
                throw ExitCode(Exit.problems)
            }
        }
    }
}

struct StoreRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Delete a study, series or instance from the store (index rows, then files), or one copy of an instance (--copy).",
        discussion: exitCodeHelp + " A plain UID removes every copy; to keep one of conflicting copies give --copy (see `dicom-media store conflicts`).")
    @Argument(help: "Study, series or SOP Instance UID.") var uid: String
    @Option(help: ArgumentHelp("Remove only this copy of the SOP Instance UID: its SHA-256 (or a unique prefix of at least 8 digits).", valueName: "SHA256"))
    var copy: String?
    @Flag(name: .customLong("dry-run"), help: "Print exactly what would be removed; change nothing.") var dryRun = false
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var lockWait: LockWaitOption

    func run() throws {
        let store = try storeOption.open(create: false, reconcile: !dryRun)
        store.lockWait = lockWait.seconds
        try runMedia {
            let r = try store.remove(uid: uid, copy: copy, dryRun: dryRun)
            var lines: [String] = []
            if let level = r.level {
                let verb = dryRun ? "would remove" : "removed"
                lines.append("\(verb) \(level) \(uid): \(r.removed.count) instance file(s)")
                for x in r.removed { lines.append("  \(x.sopInstanceUID)  SHA-256 \(x.sha256)") }
                if level == "instance" && r.removed.count > 1 {
                    lines.append("  (every copy of the instance; to keep one, remove the others with --copy SHA256)")
                }
                for x in r.unflagged { lines.append("  \(dryRun ? "would keep" : "kept") \(x.sha256) as the single copy of \(x.sopInstanceUID) (no longer flagged)") }
            }
            output.result(lines.joined(separator: "\n"),
                          json: .object([("uid", .string(uid)), ("level", r.level.map { .string($0) } ?? .null), ("dryRun", .bool(dryRun)),
                                         ("removed", .array(r.removed.map { .string($0.sopInstanceUID) })),
                                         ("copies", .array(r.removed.map(copyJSON))),
                                         ("unflagged", .array(r.unflagged.map(copyJSON)))]))
            if r.level == nil {
                printError("\(uid): " + (copy.map { "no copy \($0) of this SOP Instance in the store" } ?? "no study, series or instance with this UID in the store"))
                throw ExitCode(Exit.problems)
            }
        }
    }
}

struct StoreVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the store: every file present with its size and SHA-256, index consistent with the files, no orphans.",
        discussion: exitCodeHelp)
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var lockWait: LockWaitOption

    func run() throws {
        let store = try storeOption.open(create: false, reconcile: false)
        store.lockWait = lockWait.seconds
        try runMedia {
            let progress = output.progress()
            let v = try store.verify(progress: progress.map { p in { p("checking", $0, $1) } })
            output.result("\(v.instances) instances, \(v.bytes) bytes, \(v.problems.count) problems",
                          json: .object([("instances", .int(Int64(v.instances))), ("bytes", .int(Int64(v.bytes))),
                                         ("problems", .array(v.problems.map(\.json)))]))
            // Problems on stderr (every one is an error: a file missing, damaged or unindexed).
            for p in v.problems { printError("\(store.root): \(p)") }
            // Leftovers of a killed run were reported above; clean them up now (private data).
            if v.problems.contains(where: { $0.code == "interrupted" }) { StoreOption.reconcile(store) }
            if !v.problems.isEmpty { throw ExitCode(Exit.problems) }
        }
    }
}
