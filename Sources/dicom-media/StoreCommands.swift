import ArgumentParser
import DICOMCore
import DICOMFileSet
import DICOMStore
import MediaKit
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

    func open(create: Bool) throws -> DICOMStore {
        let root = try location()
        do { return try DICOMStore(root: root, create: create) } catch {
            printError("\(error)"); throw ExitCode(Exit.unreadable)
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import media into the local store: File-set folders or mounted discs, DICOMDIR files, plain folders of files.",
        discussion: exitCodeHelp + " Exit 1 when files are missing, unreadable or conflicting, or a DICOMDIR is stale or broken; not-DICOM files alone (viewers, autorun) are listed but are no problem.")
    @Argument(help: "Sources: a File-set folder or mounted disc, a DICOMDIR path, or a folder of files.") var sources: [String]
    @Flag(name: .customLong("dry-run"), help: "Report what would be imported; write nothing.") var dryRun = false
    @Flag(help: "Print the summary as JSON: imported, alreadyPresent, conflicts, missing, failed, notDicom, and the lists.") var json = false
    @OptionGroup var transformOptions: TransformOptions
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var lockWait: LockWaitOption

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
        // Files per durability barrier; smaller values only for tests that kill imports between batches.
        if let b = StoreLocation.processEnvironment()["DICOM_MEDIA_IMPORT_BATCH"].flatMap(Int.init), b > 0 { options.batchSize = b }
        var store: DICOMStore?
        if !dryRun || isDirectory(root) { store = try storeOption.open(create: !dryRun); store?.lockWait = lockWait.seconds }
        let progress = progressPrinter()
        try runMedia {
            let report = try StoreImporter.run(media: media, store: store, storeRoot: root, options: options,
                                               progress: progress.map { p in { p(dryRun ? "checking" : "importing", $0, $1) } })
            print(json ? report.json.serialized(pretty: true) : report.text)
            if report.hasProblems { throw ExitCode(Exit.problems) }
        }
    }
}

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Look after the local store: list, show, remove, verify.",
        subcommands: [StoreList.self, StoreShow.self, StoreRemove.self, StoreVerify.self])
}

struct StoreList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Print the store's patient/study/series/instance tree (JSON: the shape of `list --json`).",
        discussion: exitCodeHelp)
    @Option(help: "Only this Patient ID (repeatable).") var patient: [String] = []
    @Option(help: "Only this Study Instance UID (repeatable).") var study: [String] = []
    @Option(help: "Only this Series Instance UID (repeatable).") var series: [String] = []
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var storeOption: StoreOption

    func run() throws {
        let store = try storeOption.open(create: false)
        try runMedia {
            let rows = try store.select(patients: patient, studies: study, series: series)
            print(json ? StoreListing.json(rows, store: store).serialized(pretty: true) : StoreListing.text(rows))
        }
    }
}

struct StoreShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the stored instances of a study, series or SOP Instance UID (or Patient ID), with provenance.",
        discussion: exitCodeHelp)
    @Argument(help: "Study, series or SOP Instance UID, or Patient ID.") var uid: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var storeOption: StoreOption

    func run() throws {
        let store = try storeOption.open(create: false)
        try runMedia {
            let rows = try store.select(patients: [uid], studies: [uid], series: [uid], instances: [uid])
            if rows.isEmpty { printError("\(uid): not in the store"); throw ExitCode(Exit.problems) }
            if json { print(StoreListing.json(rows, store: store).serialized(pretty: true)); return }
            print(StoreListing.text(rows))
            for r in rows {
                print("\(r.sopInstanceUID): \(r.size) bytes, SHA-256 \(r.sha256), \(r.transferSyntaxUID), imported \(r.importedAt) from \(r.sourceKind) \(r.sourceLocation)"
                      + (r.sourceFileSetID.map { " File-set \($0.isEmpty ? "(no ID)" : $0)" } ?? "") + (r.sourceFileID.map { " File ID \($0)" } ?? " path \(r.sourcePath)")
                      + (r.conflict ? " (CONFLICT: differs from an earlier copy)" : ""))
            }
        }
    }
}

struct StoreRemove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Delete a study, series or instance from the store (index rows, then files).",
        discussion: exitCodeHelp)
    @Argument(help: "Study, series or SOP Instance UID.") var uid: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var lockWait: LockWaitOption

    func run() throws {
        let store = try storeOption.open(create: false)
        store.lockWait = lockWait.seconds
        try runMedia {
            let r = try store.remove(uid: uid)
            if json {
                print(JSON.object([("uid", .string(uid)), ("level", r.level.map { .string($0) } ?? .null),
                                   ("removed", .array(r.removed.map { .string($0.sopInstanceUID) }))]).serialized(pretty: true))
            } else if let level = r.level {
                print("removed \(level) \(uid): \(r.removed.count) instances")
            }
            if r.level == nil { printError("\(uid): no study, series or instance with this UID in the store"); throw ExitCode(Exit.problems) }
        }
    }
}

struct StoreVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the store: every file present with its size and SHA-256, index consistent with the files, no orphans.",
        discussion: exitCodeHelp)
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var lockWait: LockWaitOption

    func run() throws {
        let store = try storeOption.open(create: false)
        store.lockWait = lockWait.seconds
        try runMedia {
            let progress = progressPrinter()
            let v = try store.verify(progress: progress.map { p in { p("checking", $0, $1) } })
            if json {
                print(JSON.object([("instances", .int(Int64(v.instances))), ("bytes", .int(Int64(v.bytes))),
                                   ("problems", .array(v.problems.map(\.json)))]).serialized(pretty: true))
            } else {
                for p in v.problems { print("problem: \(p)") }
                print("\(v.instances) instances, \(v.bytes) bytes, \(v.problems.count) problems")
            }
            if !v.problems.isEmpty { throw ExitCode(Exit.problems) }
        }
    }
}
