import FileSystem
import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation

/// Plans a File-set write (PS3.10 §8.3): reads the inputs' headers only, allocates File IDs, builds the
/// records and decides each input's fate (copied, rewritten, already present, refused). A rewrite's outcome
/// (output syntax, refusal, a lossy copy's new SOP Instance UID) is predicted from the header; nothing is
/// decoded, encoded or written: ``FileSetExecutor`` does the rewrites.
public enum FileSetPlanner {
    /// The plan of adding `scan`'s instances to `fs` (empty for create), rooted at `root`; `existingIDs`
    /// are names taken on the medium. `report` carries what is already known (operation, resumed journal).
    static func plan(
        into fs: FileSet, root: String, scan: consuming SourceScan, existingIDs: Set<FileID>, options: FileSetOptions,
        report: FileSetReport, occupancy: MediumOccupancy = MediumOccupancy()
    ) throws -> FileSetPlan {
        var fs = fs
        var report = report
        report.notDICOM = scan.notDICOM
        report.unreadable = scan.unreadable
        report.problems += scan.problems
        if let id = options.fileSetID { fs.fileSetID = id }
        if options.transform != nil && options.inPlace {
            throw MediaError(.badArgument, "--deidentify and --reconcile rewrite every instance, so they cannot index files in place (--in-place)")
        }
        if let bad = FileSetCreator.fileSetIDProblem(fs.fileSetID) { throw MediaError(.badArgument, "File-set ID '\(fs.fileSetID)': \(bad)") }
        var index = FileSetIndex(fs)
        var allocator = FileIDAllocator(layout: options.layout, exportDate: options.exportDate, exportTime: options.exportTime, existing: existingIDs)
        occupancy.apply(to: &allocator)
        report.profile = options.profile.id
        let builder = RecordBuilder(profile: options.profile, strict: options.strict, exportDate: options.exportDate, exportTime: options.exportTime)
        let resolver = Medium(root: root)
        var copies: [FileSetTransaction.Copy] = []
        var rewrites: [FileSetRewrite] = []
        var rewriteBySource: [String: Int] = [:]
        var icons: [FileSetPlan.Icon] = []
        /// SOP Instance UID -> the input added with it (its place in `instances`), by the UID's hash, checked against the
        /// UID the scan holds: 12 bytes per file. A UID whose hash an earlier one has, or that a rewrite changed, is kept
        /// by its text.
        var sourceBySOP: [Int: Int32] = [:]
        var sourceBySOPText: [String: Int32] = [:]
        let staging = FileSetSink.stagingFolder(root: root, options: options)
        func plan() -> FileSetPlan {
            FileSetPlan(
                copies: copies, rewrites: rewrites, root: root, fileSet: fs, icons: icons, report: report, staging: staging, options: options)
        }

        // Deterministic order: patient, study, series, instance number, path. The order is sorted, not a
        // copy of the instances: one integer per file instead of a second array of them.
        // The instances are taken from the scan (a caller that passes it with `consume` holds no other copy), put in
        // order, and their order keys let go: the plan reads each header again.
        var taken = scan.instances
        scan.instances = SourceInstances()
        let order = taken.mediumOrder()
        taken.forgetSortKeys()
        let instances = taken
        func earlier(_ uid: String) -> Int32? {
            if let at = sourceBySOP[uid.hashValue], instances.sopInstanceUID(at: Int(at)) == uid { return at }
            return sourceBySOPText[uid]
        }
        func remember(_ uid: String, at: Int) {
            let h = uid.hashValue
            if sourceBySOP[h] == nil && instances.sopInstanceUID(at: at) == uid { sourceBySOP[h] = Int32(at) } else { sourceBySOPText[uid] = Int32(at) }
        }
        // Headers are (re)loaded a chunk at a time on both cores, so memory stays flat however many files;
        // the rewrite of an input the profile does not allow is predicted from its header in the same pass.
        let chunk = 64
        var loaded: [Int: Result<PlannedInstance, Error>] = [:]
        // A run's entries and the new instance records' keys spill into the target's tool folder, held under the lock
        // (a dry run writes nothing).
        if !options.dryRun {
            let toolFolder = options.image == nil ? FileSetLock.toolFolder(root: root) : FileSetLock.toolFolder(image: root)
            if report.added.isEmpty { report.added = SpillList(directory: toolFolder) }
            if fs.recordSpill == nil { fs.recordSpill = RecordSpill(directory: toolFolder) }
        }
        // One entry per input at most: the arrays at their final size at once, not twice it after doubling.
        sourceBySOP.reserveCapacity(order.count)
        index.reserve(instances: order.count)
        if !options.inPlace { copies.reserveCapacity(order.count + 1) }
        for (n, at) in order.enumerated() {
            var inst = instances[at]
            if loaded[n] == nil {
                loaded.removeAll(keepingCapacity: true)
                let range = n..<min(order.count, n + chunk)
                let results = ConcurrentSlots<Result<PlannedInstance, Error>>(count: range.count)
                DispatchQueue.concurrentPerform(iterations: range.count) { k in
                    let i = order[range.lowerBound + k]
                    results[k] = Result { try PlannedInstance.prepare(instances[i], options: options) }
                }
                for (k, r) in results.values.enumerated() { if let r { loaded[range.lowerBound + k] = r } }
            }
            var planned = PlannedInstance(header: DataSet())
            // The rewrite's predicted warnings, at the place a one-pass run reported them: kept apart for a planned
            // rewrite (the executor reports the measured ones there), else put in place when the input is settled.
            var predicted: [FileSetProblem] = []
            var predictedAt = 0
            var rewritePlanned = false
            defer { if !rewritePlanned && !predicted.isEmpty { report.problems.insert(contentsOf: predicted, at: predictedAt) } }
            for m in inst.fileMetaMismatches {
                report.problems.append(
                    FileSetProblem(
                        .warning, FileMetaCheck.code,
                        "\(inst.path): \(m); the data set's UID identifies the instance"
                            + (options.inPlace ? "" : " and the copy gets a File Meta rebuilt from it"), rule: "PS3.10 7.1"))
            }
            switch loaded[n] {
            case .success(let p)?:
                planned = p
                inst.header = p.header
                if let t = p.syntax {
                    if p.transcoded { report.transcoded.append((inst.path, "", inst.transferSyntax.uid, t.uid, p.lossy)) }
                    predicted = FileSetRewrite.problems(p.diagnostics, source: inst.path)
                    predictedAt = report.problems.count
                    inst.transferSyntax = t
                    if let uid = p.header.string(.sopInstanceUID) { inst.sopInstanceUID = uid }
                }
            case .failure(let e as MediaError)? where e.code == .transformRefused: report.refused.append((inst.path, e.description)); continue
            case .failure(let e as MediaError)? where e.isRefusal: report.refused.append((inst.path, e.message)); continue
            case .failure(let e)?: report.unreadable.append((inst.path, "\(e)")); continue
            case nil: report.unreadable.append((inst.path, "header could not be read again")); continue
            }
            if let v = options.profile.violation(sopClassUID: inst.sopClassUID, transferSyntaxUID: inst.transferSyntax.uid, header: inst.header) {
                report.refused.append((inst.path, v)); continue
            }
            if let earlierAt = earlier(inst.sopInstanceUID) {
                let earlier = instances.path(at: Int(earlierAt))
                switch Result(catching: { try sameContent(earlier, inst.path) }) {
                case .success(true):
                    report.alreadyPresent.append((inst.path, "(same as \(earlier))"))
                    // Written only if the earlier one's rewrite succeeds (the same content fails the same way).
                    if let r = rewriteBySource[earlier] { rewrites[r].sameContent.append((inst.path, report.refused.count, n)) }
                case .success(false):
                    report.refused.append(
                        (
                            inst.path,
                            "SOP Instance UID \(inst.sopInstanceUID) is also in \(earlier) with different content (PS3.3 F.2.1: one record per instance)"
                        ))
                case .failure(let e):
                    report.refused.append(
                        (
                            inst.path,
                            "SOP Instance UID \(inst.sopInstanceUID) is also in \(earlier), and the contents could not be compared: \(e) (PS3.3 F.2.1: one record per instance)"
                        ))
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
                built = try builder.build(
                    header: inst.header, sopClassUID: inst.sopClassUID, sopInstanceUID: inst.sopInstanceUID,
                    transferSyntaxUID: inst.transferSyntax.uid, fileID: fileID, source: inst.path)
            } catch let r as RecordBuilder.Refusal {
                report.refused.append((inst.path, "\(r.message) (\(r.rule))")); continue
            }
            switch fs.insert(built, index: &index) {
            case .duplicate(let existing):
                let onMedium = existing.flatMap { resolver.path($0) }
                let same = onMedium.map { p in Result(catching: { try sameContent(p, inst.path) }) }
                if let existing, case .success(true)? = same {
                    report.alreadyPresent.append((inst.path, existing.path))
                } else if let existing, case .failure(let e)? = same {
                    report.refused.append(
                        (
                            inst.path,
                            "SOP Instance UID \(inst.sopInstanceUID) is already on the medium as \(existing.path), and the contents could not be compared: \(e); an updater never modifies existing files (PS3.10 8.3)"
                        ))
                } else {
                    report.refused.append(
                        (
                            inst.path,
                            "SOP Instance UID \(inst.sopInstanceUID) is already on the medium\(existing.map { " as \($0.path)" } ?? "") with different content; an updater never modifies existing files (PS3.10 8.3)"
                        ))
                }
                continue
            case .inserted(let conflicts):
                report.problems += conflicts
            }
            report.problems += built.problems
            // A rewritten input is staged by the executor under a name of its own; the icon is made from that file.
            var rewrite: FileSetRewrite?
            let kind: FileSetRewrite.Kind? = options.inPlace ? nil : planned.rewrite ?? (inst.isPart10 ? nil : .part10)
            if let kind {
                let syntax = kind == .part10 ? PlannedInstance.stagedSyntax(inst.transferSyntax) : inst.transferSyntax
                let prefix = kind == .transcode ? "t" : kind == .rebuildFileMeta ? "m" : "p"
                rewrite = FileSetRewrite(
                    kind: kind, source: inst.path, fileID: fileID, target: planned.target ?? syntax, syntax: syntax, sopClassUID: inst.sopClassUID,
                    sopInstanceUID: inst.sopInstanceUID, lossyInstanceUID: planned.lossyInstanceUID, staged: staging + "/\(prefix)\(n)",
                    problemIndex: predictedAt, predictedProblems: predicted, refusedIndex: report.refused.count)
            }
            if options.icons, built.instance.type == .image || options.profile.icons?.recordTypes.contains(built.instance.type) == true {
                icons.append(
                    .init(
                        fileID: fileID, source: rewrite.flatMap { $0.kind == .part10 ? nil : $0.staged } ?? inst.path,
                        size: options.profile.icons?.size ?? 64, required: options.profile.icons?.required == true,
                        problemIndex: report.problems.count, order: n))
            }
            remember(inst.sopInstanceUID, at: at)
            let fileIDPath = fileID.path  // one string for the report and the copy
            report.added.append(.init(fileID: fileIDPath, source: inst.path, recordType: built.instance.type.rawValue, sopInstanceUID: inst.sopInstanceUID))
            if !options.inPlace {
                if var r = rewrite {
                    r.order = n
                    rewriteBySource[inst.path] = rewrites.count
                    rewrites.append(r)
                    rewritePlanned = true
                    copies.append(.init(source: r.staged, fileID: fileIDPath, size: 0))  // its size is known once written
                } else {
                    copies.append(.init(source: absolute(inst.path), fileID: fileIDPath, size: inst.size))
                }
                if report.transcoded.last?.source == inst.path { report.transcoded[report.transcoded.count - 1].fileID = fileIDPath }
                if rewrite?.kind == .part10 {
                    report.problems.append(
                        FileSetProblem(
                            .warning, .rewrittenAsPart10, "input has no File Meta; written as a Part 10 file", fileID: fileID.path, rule: "PS3.10 7.1"))
                }
            }
        }
        if let d = options.descriptor {
            guard isRegularFile(d) else { throw MediaError(.notFound, "descriptor file not found", path: d) }
            fs.descriptorFileID = FileID(["README"])
            // (0004,1142) only when the text leaves the default repertoire (PS3.3 F.3.2.1).
            if let bytes = FileManager.default.contents(atPath: d).map([UInt8].init), bytes.contains(where: { $0 >= 0x80 }) {
                fs.descriptorCharacterSet = String(validating: bytes, as: UTF8.self) != nil ? "ISO_IR 192" : "ISO_IR 100"
            } else {
                fs.descriptorCharacterSet = nil
            }
            if !options.inPlace && !existingIDs.contains(FileID(["README"])) {
                copies.append(.init(source: absolute(d), fileID: "README", size: fileSize(d)))
            }
        }
        report.fileSetID = fs.fileSetID
        report.fileSetUID = fs.fileSetUID
        if report.added.isEmpty && report.alreadyPresent.isEmpty {
            // Nothing to write (PS3.10 8.3 makes no empty File-set from nothing): no DICOMDIR, no image.
            report.nothingWritten = true
            return plan()
        }
        RecordedProfile.record(options.profile, in: &fs)
        return plan()
    }

    /// An allocator warning as a problem: a name already on the medium (a stray file or folder) planned
    /// around is a note (nothing is lost, PS3.10 8.3); any other layout fallback is a warning.
    static func layoutProblem(_ message: String, fileID: FileID, layout: FileIDLayout) -> FileSetProblem {
        let taken = message.contains(" already on the medium: ")
        return FileSetProblem(taken ? .info : .warning, taken ? .nameTaken : .layoutFallback, message, fileID: fileID.path, rule: "layout \(layout.name)")
    }
}
