import FileSystem
import DICOMCodecs
import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMPixel
import Foundation

/// The File-set Creator and Updater: plan (File IDs, records, DICOMDIR), then a journaled write.
public enum FileSetCreator {
    /// `create OUT INPUT...`: a new File-set in OUT (which must not hold one), or `--in-place` indexing of OUT.
    public static func create(
        out: String, inputs: [String], options: FileSetOptions,
        progress: (@Sendable (String, Int, Int) -> Void)? = nil
    ) throws -> FileSetReport {
        var root = out
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        var report = FileSetReport(operation: "create", root: root)
        report.dryRun = options.dryRun
        let rootExisted = fileExists(root)
        if options.inPlace {
            guard isDirectory(root) else { throw MediaError(.notFound, "no such folder", path: root) }
        } else if isRegularFile(root) {
            throw MediaError(.refused, "is a file; the output of create is a folder", path: root)
        }
        // One writer at a time (the journal of an interrupted run is finished only under the lock).
        let lock = options.dryRun ? nil : try FileSetLock.acquire(root: root, wait: options.lockWait, createRoot: !options.inPlace)
        defer { lock?.release() }
        if !options.dryRun, let recovery = try FileSetTransaction.recover(root: root) {
            report.resumed = recovery.text
            if case .finished(let pending, _) = recovery, pending.operation == "create" && !options.inPlace {
                // The interrupted create is what was asked again: report the File-set as it now is.
                let listing = try FileSetListing.load(source: root)
                report.fileSetID = listing.fileSet.fileSetID; report.fileSetUID = listing.fileSet.fileSetUID
                return report
            }
        }
        if !options.inPlace && Medium(root: root).path(FileID(["DICOMDIR"])) != nil {
            // Running the same create again (e.g. after a kill just as it finished) is not an error
            // when the File-set already holds every input: nothing is written and all are reported present.
            var check = options
            check.dryRun = true
            let again = try update(fileSet: root, inputs: inputs, options: check)
            if again.added.isEmpty && again.refused.isEmpty {
                var done = again
                done.operation = "create"
                done.dryRun = options.dryRun
                return done
            }
            throw MediaError(
                .refused, "already holds a File-set (DICOMDIR) without \(again.added.count) of these inputs; use `dicom-media update` to add to it", path: root)
        }
        let scan = try InstanceScanner.scan(
            options.inPlace ? [root] : inputs, keepHeaders: false, progress: progress.map { p in { @Sendable in p("reading", $0, $1) } })
        // Stray files and folders already in OUT are planned around, never overwritten.
        let occupancy = options.inPlace ? MediumOccupancy() : MediumOccupancy.scan(root: root, fileSet: nil)
        let plan = try FileSetPlanner.plan(
            into: FileSet(fileSetID: options.fileSetID ?? ""), root: root, scan: consume scan, existingIDs: occupancy.files,
            options: options, report: report, occupancy: occupancy)
        let result = try carryOut(plan, progress: progress)
        if result.nothingWritten && !rootExisted { rmdir(root) }
        return result
    }

    /// `update FILESET INPUT...`: adds instances; never modifies an existing file; replaces the DICOMDIR atomically.
    public static func update(
        fileSet source: String, inputs: [String], options: FileSetOptions,
        progress: (@Sendable (String, Int, Int) -> Void)? = nil
    ) throws -> FileSetReport {
        let loc = try FileSetLocation(source: source)
        let root = loc.root
        var report = FileSetReport(operation: "update", root: root)
        report.dryRun = options.dryRun
        let lock = options.dryRun ? nil : try FileSetLock.acquire(root: root, wait: options.lockWait)
        defer { lock?.release() }
        if !options.dryRun, let recovery = try FileSetTransaction.recover(root: root) { report.resumed = recovery.text }
        let fs: FileSet
        do { fs = try DICOMDIRReader.read(path: FileSetLocation(source: source).dicomdir) } catch let e as DICOMParseError {
            throw MediaError(
                .unreadable, "the DICOMDIR cannot be read, so the File-set cannot be updated safely: \(e.description)", path: loc.dicomdir, cause: e)
        }
        if !fs.orphans.isEmpty {
            report.problems.append(
                FileSetProblem(
                    .warning, .orphansDropped,
                    "\(fs.orphans.reduce(0) { $0 + $1.subtreeCount }) unreachable record(s) are not carried into the new DICOMDIR; their files stay on the medium",
                    rule: "PS3.3 F.2.1"))
        }
        report.problems += fs.problems.filter { $0.severity >= .error }
        // The File-set's profile is kept: the recorded one, else the one its content implies (or --profile).
        var options = options
        (options.profile, report.profileSource) = try ProfileChoice.forUpdate(fs, given: options.profileExplicit ? options.profile : nil, path: root)
        // Every name already used in the folder, referenced or not, is off limits for new files;
        // new instances of a patient, study or series already there go into its folders.
        let occupancy = MediumOccupancy.scan(root: root, fileSet: fs)
        // Inputs inside the File-set itself are not new instances.
        let scan = try InstanceScanner.scan(
            inputs.filter { !(realPath($0) ?? $0).hasPrefix((realPath(root) ?? root) + "/") || !isDirectory(root) },
            keepHeaders: false, progress: progress.map { p in { @Sendable in p("reading", $0, $1) } })
        let plan = try FileSetPlanner.plan(
            into: fs, root: root, scan: consume scan, existingIDs: occupancy.files, options: options,
            report: report, occupancy: occupancy)
        return try carryOut(plan, progress: progress)
    }

    /// `--dry-run` reports the plan; a run executes it (the caller holds the lock).
    static func carryOut(_ plan: FileSetPlan, progress: (@Sendable (String, Int, Int) -> Void)?) throws -> FileSetReport {
        plan.options.dryRun ? plan.predictedReport : try FileSetExecutor.execute(plan, progress: progress)
    }

    /// The data set of a file with its Pixel Data decoded to native samples (icons, renderings; PS3.5 8.2).
    public static func nativeDataSet(_ path: String) throws -> DataSet {
        let f = try Part10Reader.read(path: path)
        guard f.transferSyntax.isEncapsulated, f.dataSet[.pixelData]?.fragments != nil else { return f.dataSet }
        Codecs.registerAll()
        return try PixelTranscoder().transcode(dataSet: f.dataSet, fileMeta: f.fileMeta, from: f.transferSyntax, to: .explicitVRLittleEndian).dataSet
    }

    /// Why a File-set ID does not conform (0-16 characters of the File ID set, PS3.10 §8.5), or nil.
    public static func fileSetIDProblem(_ id: String) -> String? {
        if id.utf8.count > 16 { return "longer than 16 characters (PS3.10 8.5)" }
        if let bad = id.unicodeScalars.first(where: { !FileID.isAllowed($0) }) { return "contains '\(bad)'; only A-Z, 0-9 and _ are allowed (PS3.10 8.5)" }
        return nil
    }
}

func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    return FileManager.default.currentDirectoryPath + "/" + path
}
