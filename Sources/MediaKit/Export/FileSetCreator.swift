import DICOMCodecs
import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMPixel
import Foundation

/// Options of `create` and `update` (File-set Creator and Updater, PS3.10 §8.3).
public struct FileSetOptions: Sendable {
    public var profile: ApplicationProfile = .default
    /// The profile was named by the user (`--profile`); else `update` keeps the File-set's (``ProfileChoice``).
    public var profileExplicit = false
    public var layout: FileIDLayout
    public var fileSetID: String?
    /// A plain-text file copied into the File-set as its descriptor (README), (0004,1141).
    public var descriptor: String?
    public var icons = false
    public var strict = false
    public var inPlace = false
    public var dryRun = false
    /// Export date/time YYYYMMDD and HHMMSS (layouts and invented keys use them).
    public var exportDate: String
    public var exportTime: String
    public var sourceAETitle: String?
    /// Which syntaxes inputs the profile does not allow are transcoded to (PS3.11 §7).
    public var compression: CompressionMode = .lossless
    /// Transcode inputs already in an allowed syntax too.
    public var recompress = false
    /// Encoder parameters (lossy quality).
    public var encodeParameters = EncodeParameters()
    /// Seconds to wait for another writer's lock on the File-set before giving up busy (`--wait`).
    public var lockWait: Double = FileSetLock.defaultWait
    /// Applied to every instance before its records are built and its file is written (de-identify,
    /// reconcile): each instance is then re-encoded, and the DICOMDIR holds only transformed values.
    public var transform: (any InstanceTransform)?
    /// Write an ISO 9660 image instead of a folder (`create --iso`), and IHE PDI content (`--pdi`).
    public var image: ImageOutput?
    public var pdi: PDIOptions?

    public init(layout: FileIDLayout, exportDate: String, exportTime: String) {
        self.layout = layout; self.exportDate = exportDate; self.exportTime = exportTime
    }

    /// Now, in local time, as (YYYYMMDD, HHMMSS).
    public static func now() -> (String, String) {
        let f = DateFormatter(); f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd"; let d = f.string(from: Date())
        f.dateFormat = "HHmmss"; let t = f.string(from: Date())
        return (d, t)
    }
}

/// What `create`/`update` did (or, with --dry-run, would do).
public struct FileSetReport: Sendable {
    public struct Added: Sendable { public var fileID: String; public var source: String; public var recordType: String; public var sopInstanceUID: String }
    public var operation: String
    public var root: String
    public var fileSetID = ""
    public var fileSetUID = ""
    public var dryRun = false
    public var added: [Added] = []
    /// Instances written in another transfer syntax than their source's.
    public var transcoded: [(source: String, fileID: String, from: String, to: String, lossy: Bool)] = []
    /// Instances already on the medium with the same content: skipped.
    public var alreadyPresent: [(source: String, fileID: String)] = []
    /// Inputs refused, with the rule.
    public var refused: [(source: String, reason: String)] = []
    public var notDICOM: [(path: String, reason: String)] = []
    public var unreadable: [(path: String, reason: String)] = []
    public var problems: [FileSetProblem] = []
    /// A journal of an interrupted earlier run was completed first.
    public var resumed: String?
    /// No instance to write (empty input, everything refused or not DICOM): no DICOMDIR was written.
    public var nothingWritten = false
    /// The application profile followed, and where it came from ("option", "recorded", "content").
    public var profile = ""
    public var profileSource = "option"

    /// Done in part (exit 1): something was refused or unreadable, or an error-level problem arose.
    /// Warnings alone are not a problem (exit 0, 1 with `--fail-on warning`).
    public var hasProblems: Bool {
        nothingWritten || !refused.isEmpty || !unreadable.isEmpty || problems.contains { $0.severity >= .error }
    }
    public var hasWarnings: Bool { problems.contains { $0.severity == .warning } }

    /// Everything for stderr: refusals, unreadable inputs, problems (errors and warnings), files skipped as not DICOM.
    public var diagnostics: [FileSetProblem] {
        // The reason often starts with the path already: name it once.
        func reason(_ r: String, _ path: String) -> String { r.hasPrefix(path + ": ") ? String(r.dropFirst(path.count + 2)) : r }
        return refused.map { FileSetProblem(.error, "refused", reason($0.reason, $0.source), fileID: $0.source, rule: "PS3.10 8.3") }
            + unreadable.map { FileSetProblem(.error, "unreadable", reason($0.reason, $0.path), fileID: $0.path, rule: "PS3.10 7") }
            + problems
            + notDICOM.map { FileSetProblem(.info, "not-dicom", "not DICOM, skipped: \($0.reason)", fileID: $0.path, rule: "PS3.10 7.1") }
    }

    public var json: JSON {
        .object([
            ("operation", .string(operation)), ("root", .string(root)), ("dryRun", .bool(dryRun)),
            ("fileSetID", .string(fileSetID)), ("fileSetUID", .string(fileSetUID)),
            ("resumed", resumed.map { .string($0) } ?? .null), ("nothingWritten", .bool(nothingWritten)),
            ("profile", .string(profile)), ("profileSource", .string(profileSource)),
            ("added", .array(added.map { .object([("fileID", .string($0.fileID)), ("source", .string($0.source)),
                                                   ("recordType", .string($0.recordType)), ("sopInstanceUID", .string($0.sopInstanceUID))]) })),
            ("transcoded", .array(transcoded.map { .object([("source", .string($0.source)), ("fileID", .string($0.fileID)),
                                                             ("from", .string($0.from)), ("to", .string($0.to)), ("lossy", .bool($0.lossy))]) })),
            ("alreadyPresent", .array(alreadyPresent.map { .object([("source", .string($0.source)), ("fileID", .string($0.fileID))]) })),
            ("refused", .array(refused.map { .object([("source", .string($0.source)), ("reason", .string($0.reason))]) })),
            ("notDicom", .array(notDICOM.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
            ("unreadable", .array(unreadable.map { .object([("path", .string($0.path)), ("reason", .string($0.reason))]) })),
            ("problems", .array(problems.map(\.json))),
        ])
    }

    /// Replaces input paths by what they stand for (export: store objects by patient, study,
    /// instance and original source), in every list and problem, so no message names a store path.
    public mutating func nameSources(_ names: [String: String]) {
        guard !names.isEmpty else { return }
        func n(_ s: String) -> String { names[s] ?? s }
        for i in added.indices { added[i].source = n(added[i].source) }
        transcoded = transcoded.map { ($0.source.isEmpty ? $0.source : n($0.source), $0.fileID, $0.from, $0.to, $0.lossy) }
        alreadyPresent = alreadyPresent.map { (n($0.source), $0.fileID) }
        refused = refused.map { (n($0.source), $0.reason) }
        unreadable = unreadable.map { (n($0.path), $0.reason) }
        notDICOM = notDICOM.map { (n($0.path), $0.reason) }
        for i in problems.indices {
            if let f = problems[i].fileID { problems[i].fileID = n(f) }
            for (path, name) in names where problems[i].message.contains(path) {
                problems[i].message = problems[i].message.replacingOccurrences(of: path, with: name)
            }
        }
        for i in refused.indices {
            for (path, name) in names where refused[i].reason.contains(path) {
                refused[i].reason = refused[i].reason.replacingOccurrences(of: path, with: name)
            }
        }
    }

    /// The results (stdout): summary, File-set identity, the plan with --dry-run.
    public var text: String {
        var lines: [String] = []
        if let r = resumed { lines.append("resumed: \(r)") }
        if nothingWritten { lines.append("\(operation) \(root): no instances: nothing written") }
        if profileSource != "option" { lines.append("profile \(profile) (\(profileSource == "recorded" ? "recorded in the DICOMDIR" : "implied by the File-set's content"))") }
        let verb = dryRun ? "would add" : "added"
        if dryRun { for a in added { lines.append("  \(a.fileID)  <- \(a.source)  [\(a.recordType)]") } }
        if dryRun { for t in transcoded { lines.append("transcoded: \(t.source) -> \(t.fileID): \(TransferSyntax(uid: t.from).name) -> \(TransferSyntax(uid: t.to).name)\(t.lossy ? " (lossy)" : "")") } }
        lines.append("\(operation) \(root): \(verb) \(added.count) instance(s)\(transcoded.isEmpty ? "" : " (\(transcoded.count) transcoded)"); already present \(alreadyPresent.count); refused \(refused.count); not DICOM \(notDICOM.count); unreadable \(unreadable.count)")
        lines.append("File-set ID '\(fileSetID)', UID \(fileSetUID)")
        for p in alreadyPresent { lines.append("already present: \(p.source) = \(p.fileID)") }
        // Refusals, unreadable inputs and problems are diagnostics: see `diagnostics` (stderr).
        return lines.joined(separator: "\n")
    }
}

/// The File-set Creator and Updater: plan (File IDs, records, DICOMDIR), then a journaled write.
public enum FileSetCreator {
    /// `create OUT INPUT...`: a new File-set in OUT (which must not hold one), or `--in-place` indexing of OUT.
    public static func create(out: String, inputs: [String], options: FileSetOptions,
                              progress: (@Sendable (String, Int, Int) -> Void)? = nil) throws -> FileSetReport {
        var root = out
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        var report = FileSetReport(operation: "create", root: root)
        report.dryRun = options.dryRun
        let rootExisted = FileManager.default.fileExists(atPath: root)
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
            throw MediaError(.refused, "already holds a File-set (DICOMDIR) without \(again.added.count) of these inputs; use `dicom-media update` to add to it", path: root)
        }
        let realRoot = realPath(root)
        var excluded = Set<String>()
        if let r = realRoot, !options.inPlace { excluded.insert(r) }
        let scan = try InstanceScanner.scan(options.inPlace ? [root] : inputs, keepHeaders: false, progress: progress.map { p in { p("reading", $0, $1) } })
        var fs = FileSet(fileSetID: options.fileSetID ?? "")
        // Stray files and folders already in OUT are planned around, never overwritten.
        let occupancy = options.inPlace ? MediumOccupancy() : MediumOccupancy.scan(root: root, fileSet: nil)
        let result = try plan(into: &fs, root: root, scan: scan, existingIDs: occupancy.files, options: options, report: &report,
                              progress: progress, occupancy: occupancy)
        if result.nothingWritten && !rootExisted { rmdir(root) }
        return result
    }

    /// `update FILESET INPUT...`: adds instances; never modifies an existing file; replaces the DICOMDIR atomically.
    public static func update(fileSet source: String, inputs: [String], options: FileSetOptions,
                              progress: (@Sendable (String, Int, Int) -> Void)? = nil) throws -> FileSetReport {
        let loc = try FileSetLocation(source: source)
        let root = loc.root
        var report = FileSetReport(operation: "update", root: root)
        report.dryRun = options.dryRun
        let lock = options.dryRun ? nil : try FileSetLock.acquire(root: root, wait: options.lockWait)
        defer { lock?.release() }
        if !options.dryRun, let recovery = try FileSetTransaction.recover(root: root) { report.resumed = recovery.text }
        var fs: FileSet
        do { fs = try DICOMDIRReader.read(path: FileSetLocation(source: source).dicomdir) } catch let e as DICOMParseError {
            throw MediaError(.unreadable, "the DICOMDIR cannot be read, so the File-set cannot be updated safely: \(e.description)", path: loc.dicomdir)
        }
        if !fs.orphans.isEmpty {
            report.problems.append(FileSetProblem(.warning, "orphans-dropped", "\(fs.orphans.reduce(0) { $0 + $1.subtreeCount }) unreachable record(s) are not carried into the new DICOMDIR; their files stay on the medium", rule: "PS3.3 F.2.1"))
        }
        report.problems += fs.problems.filter { $0.severity >= .error }
        // The File-set's profile is kept: the recorded one, else the one its content implies (or --profile).
        var options = options
        (options.profile, report.profileSource) = try ProfileChoice.forUpdate(fs, given: options.profileExplicit ? options.profile : nil, path: root)
        // Every name already used in the folder, referenced or not, is off limits for new files;
        // new instances of a patient, study or series already there go into its folders.
        let occupancy = MediumOccupancy.scan(root: root, fileSet: fs)
        var excluded = Set<String>()
        if let r = realPath(root) { excluded.insert(r) }
        // Inputs inside the File-set itself are not new instances.
        let scan = try InstanceScanner.scan(inputs.filter { !(realPath($0) ?? $0).hasPrefix((realPath(root) ?? root) + "/") || !isDirectory(root) },
                                            keepHeaders: false, progress: progress.map { p in { p("reading", $0, $1) } })
        return try plan(into: &fs, root: root, scan: scan, existingIDs: occupancy.files, options: options, report: &report,
                        progress: progress, occupancy: occupancy)
    }

    static func plan(into fs: inout FileSet, root: String, scan: SourceScan, existingIDs: Set<FileID>, options: FileSetOptions,
                     report: inout FileSetReport, progress: (@Sendable (String, Int, Int) -> Void)?,
                     occupancy: MediumOccupancy = MediumOccupancy()) throws -> FileSetReport {
        report.notDICOM = scan.notDICOM
        report.unreadable = scan.unreadable
        report.problems += scan.problems
        if let id = options.fileSetID { fs.fileSetID = id }
        if options.transform != nil && options.inPlace {
            throw MediaError(.badArgument, "--deidentify and --reconcile rewrite every instance, so they cannot index files in place (--in-place)")
        }
        if let bad = fileSetIDProblem(fs.fileSetID) { throw MediaError(.badArgument, "File-set ID '\(fs.fileSetID)': \(bad)") }
        var index = FileSetIndex(fs)
        var allocator = FileIDAllocator(layout: options.layout, exportDate: options.exportDate, exportTime: options.exportTime, existing: existingIDs)
        occupancy.apply(to: &allocator)
        report.profile = options.profile.id
        let builder = RecordBuilder(profile: options.profile, strict: options.strict, exportDate: options.exportDate, exportTime: options.exportTime)
        let resolver = Medium(root: root)
        var copies: [FileSetTransaction.Copy] = []
        var sourceBySOP: [String: String] = [:]

        // Deterministic order: patient, study, series, instance number, path.
        let instances = scan.instances.sorted { a, b in
            a.sortKey != b.sortKey ? a.sortKey.lexicographicallyPrecedes(b.sortKey) : a.path < b.path
        }
        // Headers are (re)loaded a chunk at a time on both cores, so memory stays flat however many files;
        // inputs the profile does not allow are transcoded in the same pass into the staging folder.
        let chunk = 256
        let staging = FileSetSink.stagingFolder(root: root, options: options)
        var loaded: [Int: Result<PreparedInstance, Error>] = [:]
        for (n, var inst) in instances.enumerated() {
            if loaded[n] == nil {
                loaded.removeAll(keepingCapacity: true)
                let range = n..<min(instances.count, n + chunk)
                let results = ConcurrentSlots<Result<PreparedInstance, Error>>(count: range.count)
                DispatchQueue.concurrentPerform(iterations: range.count) { k in
                    let i = range.lowerBound + k
                    results[k] = Result { try prepare(instances[i], index: i, options: options, staging: staging) }
                }
                for (k, r) in results.values.enumerated() { if let r { loaded[range.lowerBound + k] = r } }
            }
            var staged: (path: String, size: Int)?
            for m in inst.fileMetaMismatches {
                report.problems.append(FileSetProblem(.warning, FileMetaCheck.code, "\(inst.path): \(m); the data set's UID identifies the instance"
                                                      + (options.inPlace ? "" : " and the copy gets a File Meta rebuilt from it"), rule: "PS3.10 7.1"))
            }
            switch loaded[n] {
            case .success(let p)?:
                inst.header = p.header
                if let t = p.syntax {
                    if p.transcoded { report.transcoded.append((inst.path, "", inst.transferSyntax.uid, t.uid, p.lossy)) }
                    report.problems += p.diagnostics.filter { $0.severity >= .warning }.map {
                        FileSetProblem(.warning, $0.code, "\(inst.path): \($0.message)", rule: "PS3.5 8.2")
                    }
                    inst.transferSyntax = t
                    if let uid = p.header.string(.sopInstanceUID) { inst.sopInstanceUID = uid }
                    staged = p.staged
                }
            case .failure(let e as SyntaxRefusal)?: report.refused.append((inst.path, e.description)); continue
            case .failure(let e as TransformRefusal)?: report.refused.append((inst.path, e.description)); continue
            case .failure(let e as MediaError)? where e.code == .refused: report.refused.append((inst.path, e.message)); continue
            case .failure(let e)?: report.unreadable.append((inst.path, "\(e)")); continue
            case nil: report.unreadable.append((inst.path, "header could not be read again")); continue
            }
            if let v = options.profile.violation(sopClassUID: inst.sopClassUID, transferSyntaxUID: inst.transferSyntax.uid, header: inst.header) {
                report.refused.append((inst.path, v)); continue
            }
            if let earlier = sourceBySOP[inst.sopInstanceUID] {
                if (try? sameContent(earlier, inst.path)) == true {
                    report.alreadyPresent.append((inst.path, "(same as \(earlier))"))
                } else {
                    report.refused.append((inst.path, "SOP Instance UID \(inst.sopInstanceUID) is also in \(earlier) with different content (PS3.3 F.2.1: one record per instance)"))
                }
                continue
            }
            let fileID: FileID
            if options.inPlace {
                fileID = FileID(path: String(inst.path.dropFirst(root.count + 1)))
                if let why = fileID.nonConformance {
                    report.refused.append((inst.path, "file name is not a conformant File ID: \(why); --in-place indexes only conformant names"))
                    continue
                }
                if !inst.isPart10 {
                    report.refused.append((inst.path, "not a Part 10 file (no preamble/DICM/File Meta); --in-place cannot rewrite files (PS3.10 7.1)"))
                    continue
                }
            } else {
                let (id, warnings) = allocator.allocate(for: inst.header)
                fileID = id
                for w in warnings { report.problems.append(layoutProblem(w, fileID: id, layout: options.layout)) }
            }
            var built: BuiltRecords
            do {
                built = try builder.build(header: inst.header, sopClassUID: inst.sopClassUID, sopInstanceUID: inst.sopInstanceUID,
                                          transferSyntaxUID: inst.transferSyntax.uid, fileID: fileID, source: inst.path)
            } catch let r as RecordBuilder.Refusal {
                report.refused.append((inst.path, "\(r.message) (\(r.rule))")); continue
            }
            if options.icons, built.instance.type == .image || options.profile.icons?.recordTypes.contains(built.instance.type) == true {
                let size = options.profile.icons?.size ?? 64
                do {
                    let icon = try IconImage.make(from: nativeDataSet(staged?.path ?? inst.path), size: size)
                    built.instance.keys.setSequence(Tag(0x0088, 0x0200), [icon])
                } catch {
                    built.problems.append(FileSetProblem(options.profile.icons?.required == true ? .error : .warning, "icon-not-made",
                                                         "no icon: \(error)", fileID: fileID.path, rule: "PS3.3 F.7"))
                }
            }
            switch fs.insert(built, index: &index) {
            case .duplicate(let existing):
                if let existing, let p = resolver.path(existing), (try? sameContent(p, inst.path)) == true {
                    report.alreadyPresent.append((inst.path, existing.path))
                } else {
                    report.refused.append((inst.path, "SOP Instance UID \(inst.sopInstanceUID) is already on the medium\(existing.map { " as \($0.path)" } ?? "") with different content; an updater never modifies existing files (PS3.10 8.3)"))
                }
                continue
            case .inserted(let conflicts):
                report.problems += conflicts
            }
            report.problems += built.problems
            sourceBySOP[inst.sopInstanceUID] = inst.path
            report.added.append(.init(fileID: fileID.path, source: inst.path, recordType: built.instance.type.rawValue, sopInstanceUID: inst.sopInstanceUID))
            if !options.inPlace {
                if let st = staged {
                    copies.append(.init(source: st.path, fileID: fileID.path, size: st.size))
                } else {
                    copies.append(.init(source: inst.isPart10 ? absolute(inst.path) : "", fileID: fileID.path, size: inst.size))
                }
                if report.transcoded.last?.source == inst.path { report.transcoded[report.transcoded.count - 1].fileID = fileID.path }
                if !inst.isPart10 && staged == nil {
                    report.problems.append(FileSetProblem(.warning, "rewritten-as-part10", "input has no File Meta; written as a Part 10 file", fileID: fileID.path, rule: "PS3.10 7.1"))
                }
            }
        }
        if let d = options.descriptor {
            guard isRegularFile(d) else { throw MediaError(.notFound, "descriptor file not found", path: d) }
            fs.descriptorFileID = FileID(["README"])
            // (0004,1142) only when the text leaves the default repertoire (PS3.3 F.3.2.1).
            if let bytes = FileManager.default.contents(atPath: d).map([UInt8].init), bytes.contains(where: { $0 >= 0x80 }) {
                fs.descriptorCharacterSet = String(validatingUTF8: bytes.map { CChar(bitPattern: $0) } + [0]) != nil ? "ISO_IR 192" : "ISO_IR 100"
            } else { fs.descriptorCharacterSet = nil }
            if !options.inPlace && !existingIDs.contains(FileID(["README"])) {
                copies.append(.init(source: absolute(d), fileID: "README", size: fileSize(d)))
            }
        }
        report.fileSetID = fs.fileSetID
        report.fileSetUID = fs.fileSetUID
        if report.added.isEmpty && report.alreadyPresent.isEmpty {
            // Nothing to write (PS3.10 8.3 makes no empty File-set from nothing): no DICOMDIR, no image.
            report.nothingWritten = true
            discardStaging(root: root, options: options)
            return report
        }
        RecordedProfile.record(options.profile, in: &fs)
        if options.dryRun { return report }
        if report.added.isEmpty && report.operation == "update" { return report }

        // Inputs without File Meta are re-encoded as Part 10 into the journal folder first.
        for i in copies.indices where copies[i].source.isEmpty {
            guard let src = report.added.first(where: { $0.fileID == copies[i].fileID })?.source else { continue }
            let f = try Part10Reader.read(path: src)
            let ts = stagedSyntax(f.transferSyntax)
            let bytes = try Part10Writer.encode(dataSet: f.dataSet, fileMeta: f.fileMeta, options: WriteOptions(transferSyntax: ts, sourceAETitle: options.sourceAETitle))
            try makePrivateDirectory(staging)
            let staged = staging + "/\(i)"
            try writePrivateFile(bytes, to: staged)
            copies[i].source = staged
            copies[i].size = bytes.count
        }
        let dicomdir = try DICOMDIRWriter.encode(fs, sourceAETitle: options.sourceAETitle)
        // The end of the plan goes to a sink: a journaled folder write or an ISO image (FileSetSink).
        try FileSetSink.write(fs, root: root, copies: copies, dicomdir: dicomdir, staging: staging,
                              operation: report.operation, options: options, progress: progress)
        return report
    }

    /// The data set of a file with its Pixel Data decoded to native samples (icons, renderings; PS3.5 8.2).
    public static func nativeDataSet(_ path: String) throws -> DataSet {
        let f = try Part10Reader.read(path: path)
        guard f.transferSyntax.isEncapsulated, f.dataSet[.pixelData]?.fragments != nil else { return f.dataSet }
        Codecs.registerAll()
        return try PixelTranscoder().transcode(dataSet: f.dataSet, fileMeta: f.fileMeta, from: f.transferSyntax, to: .explicitVRLittleEndian).dataSet
    }

    /// What the planning pass learns of one input: its header (after transform and transcoding) and the staged rewritten file.
    struct PreparedInstance {
        var header: DataSet
        /// The syntax the rewritten file is in; nil when the input is copied as it is.
        var syntax: TransferSyntax?
        var staged: (path: String, size: Int)?
        /// The syntax changed (not only a transform).
        var transcoded = false
        var lossy = false
        var diagnostics: [Diagnostic] = []
    }

    /// Loads an input's header, applies the transform (de-identify, reconcile), picks the syntax the profile
    /// allows and, unless dry-running, writes the rewritten file into `staging`. Runs on every core.
    static func prepare(_ inst: SourceInstance, index: Int, options: FileSetOptions, staging: String) throws -> PreparedInstance {
        let header = inst.header.isEmpty ? try InstanceScanner.loadHeader(inst.path) : inst.header
        var target: TransferSyntax?
        if !options.inPlace {  // --in-place indexes files where they are, never rewritten; the profile check refuses what does not fit
            target = try SyntaxChoice.target(current: inst.transferSyntax, header: header, profile: options.profile, sopClassUID: inst.sopClassUID,
                                             mode: options.compression, recompress: options.recompress)
        }
        let transform = options.inPlace ? nil : options.transform
        if target == nil && transform == nil {
            guard inst.fileMetaNeedsRebuild && !options.inPlace else { return PreparedInstance(header: header) }
            // One identity (PS3.10 7.1): a File Meta disagreeing with the data set is rebuilt; the data set is copied byte for byte.
            if options.dryRun { return PreparedInstance(header: header, syntax: inst.transferSyntax) }
            let bytes = try rebuildingFileMeta(inst.path, sourceAETitle: options.sourceAETitle)
            try makeDirectories(staging)
            let path = staging + "/m\(index)"
            try Part10Writer.write(bytes, to: path)
            return PreparedInstance(header: header, syntax: inst.transferSyntax, staged: (path, bytes.count))
        }
        let output = target ?? stagedSyntax(inst.transferSyntax)
        // A dry run encodes exactly as the run does (same syntaxes, same refusals) and only skips the write.
        let (bytes, result, dataSet) = try FileTranscoder.encode(
            input: inst.path, to: output, parameters: options.encodeParameters, sourceAETitle: options.sourceAETitle,
            transform: transform.map { t in { ds, meta in try t.apply(to: &ds, fileMeta: &meta) } })
        if options.dryRun {
            return PreparedInstance(header: InstanceScanner.strip(dataSet), syntax: result.outputSyntax,
                                    transcoded: target != nil, lossy: result.lossy, diagnostics: result.diagnostics)
        }
        try makePrivateDirectory(staging)
        let path = staging + "/t\(index)"
        try writePrivateFile(bytes, to: path)
        return PreparedInstance(header: InstanceScanner.strip(dataSet), syntax: result.outputSyntax, staged: (path, bytes.count),
                                transcoded: target != nil, lossy: result.lossy, diagnostics: result.diagnostics)
    }

    /// The file at `path` with its File Meta rebuilt from its data set (SOP Class and Instance UID) and
    /// every data set byte kept as it is (PS3.10 7.1): the preamble, DICM, new group 0002, the old data set bytes.
    static func rebuildingFileMeta(_ path: String, sourceAETitle: String?) throws -> [UInt8] {
        let f = try Part10Reader.read(path: path, options: .headerOnly)
        guard let data = FileManager.default.contents(atPath: path) else { throw MediaError(.unreadable, "cannot read", path: path) }
        let all = [UInt8](data)
        guard f.dataSetOffset > 0, f.dataSetOffset <= all.count else {
            throw MediaError(.unreadable, "the data set's start cannot be found to rebuild the File Meta", path: path)
        }
        let syntax = TransferSyntax(uid: f.fileMeta.string(.transferSyntaxUID) ?? f.transferSyntax.uid)
        let meta = Part10Writer.makeFileMeta(for: f.dataSet, existing: f.fileMeta,
                                             options: WriteOptions(transferSyntax: syntax, sourceAETitle: sourceAETitle))
        var out = f.preamble ?? [UInt8](repeating: 0, count: 128)
        if out.count != 128 { out = [UInt8](repeating: 0, count: 128) }
        out += [0x44, 0x49, 0x43, 0x4D]
        out += Part10Writer.encodeFileMeta(meta)
        out += all[f.dataSetOffset...]
        return out
    }

    /// The syntax an instance is re-encoded in: its own, or Explicit VR Little Endian when this writer cannot produce it.
    static func stagedSyntax(_ ts: TransferSyntax) -> TransferSyntax {
        !Part10Writer.canWrite(ts) || ts.isDeflated ? .explicitVRLittleEndian : ts
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
