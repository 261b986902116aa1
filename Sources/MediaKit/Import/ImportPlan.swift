import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMStore

/// What an import will do, decided from the media's file listings and DICOMDIRs alone (no instance
/// is read, nothing is written): per medium the files to read and the record naming each, plus what
/// reading the media found (files missing or refused, DICOMDIR problems), the transforms to apply and
/// the provenance kept. ``ImportExecutor`` carries it into the store.
public struct ImportPlan: Sendable {
    /// A file to read, with the directory record that named it when there is one.
    public struct Candidate: Sendable {
        public var path: String
        public var record: DirectoryRecord?
    }

    /// One medium's part: its File-set identity, file sizes and the files to read, in order.
    public struct MediumPlan: Sendable {
        public var medium: any MediumReader
        public var fileSetID: String?
        public var fileSetUID: String?
        /// Size of every file on the medium, by path.
        public var sizes: [String: Int]
        public var candidates: [Candidate]
    }

    public var media: [MediumPlan]
    /// What reading the media found: each medium's summary, files missing or refused, problems.
    /// The import report starts from it.
    public var findings: ImportReport
    /// The transforms applied to each instance before it is stored, in order ("reconcile", "deidentify").
    public var transforms: [String]
    public var provenance: ProvenanceMode

    /// Files to read over all media.
    public var fileCount: Int { media.reduce(0) { $0 + $1.candidates.count } }
    /// Files to read that a directory record names (the others were found by scanning).
    public var listedCount: Int { media.reduce(0) { $0 + $1.candidates.filter { $0.record != nil }.count } }

    /// One line: what will be read and how it is changed.
    public var text: String {
        "plan: read \(fileCount) files (\(listedCount) named by a directory record, \(fileCount - listedCount) found by scanning) from \(media.count == 1 ? "1 medium" : "\(media.count) media"); "
            + "transforms: \(transforms.isEmpty ? "none" : transforms.joined(separator: ", ")); provenance: \(provenance.rawValue)"
    }

    public var json: JSON {
        func opt(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
        return .object([
            ("files", .int(Int64(fileCount))),
            ("transforms", .array(transforms.map { .string($0) })),
            ("provenance", .string(provenance.rawValue)),
            (
                "media",
                .array(
                    media.map { m in
                        .object([
                            ("location", .string(m.medium.location)), ("kind", .string(m.medium.kind)),
                            ("fileSetID", opt(m.fileSetID)), ("fileSetUID", opt(m.fileSetUID)),
                            (
                                "read",
                                .array(
                                    m.candidates.map { c in
                                        .object([("path", .string(c.path)), ("fileID", opt(c.record?.referencedFileID?.path))])
                                    })
                            ),
                        ])
                    })
            ),
        ])
    }
}

/// Builds an ``ImportPlan``: follows a usable DICOMDIR (and lower-level directory files), lists the
/// files it does not name, and records what it could not take; a missing or broken DICOMDIR means
/// every file is read. Reads directory listings and DICOMDIRs only.
public enum ImportPlanner {
    /// `spillFolder`: a private folder (the store's `tmp/`) where the run's per-file lists and the DICOMDIRs' records
    /// (their file references) go as they grow; nil keeps them in memory (a dry run writes nothing).
    public static func plan(media: [any MediumReader], storeRoot: String, options: ImportOptions, spillFolder: String? = nil) throws -> ImportPlan {
        let spillFolder = options.dryRun ? nil : spillFolder
        var findings = ImportReport(store: storeRoot, dryRun: options.dryRun, spillingIn: spillFolder)
        var plans: [ImportPlan.MediumPlan] = []
        let spill = spillFolder.map { RecordSpill(directory: $0) }
        for m in media { plans.append(try plan(m, report: &findings, spill: spill)) }
        return ImportPlan(media: plans, findings: findings, transforms: names(options.transform), provenance: options.provenance)
    }

    /// The names of the transforms in a chain, in order.
    static func names(_ t: (any InstanceTransform)?) -> [String] {
        switch t {
        case nil: return []
        case let c as TransformChain: return c.transforms.flatMap { names($0) }
        case is Reconciler: return ["reconcile"]
        case is Deidentifier: return ["deidentify"]
        case let t?: return [String(describing: type(of: t))]
        }
    }

    /// Decides which files of one medium to read: the DICOMDIR's referenced files when it is usable, plus every
    /// file it does not list (which makes it stale when some are DICOM); every file when it is missing or broken.
    static func plan(_ medium: any MediumReader, report: inout ImportReport, spill: RecordSpill? = nil) throws -> ImportPlan.MediumPlan {
        let scanned = try medium.scan()
        let files = scanned.files
        for (path, why) in scanned.skipped {
            report.problems.append((medium.location, FileSetProblem(.error, .symlinkSkipped, "\(path): \(why)", rule: "PS3.10 8.2")))
        }
        let index = MediumIndex(files: files)
        var plan = ImportPlan.MediumPlan(medium: medium, sizes: Dictionary(files.map { ($0.path, $0.size) }, uniquingKeysWith: { a, _ in a }), candidates: [])
        var summary = ImportReport.Medium(location: medium.location, kind: medium.kind, dicomdir: "missing", files: files.count, note: "")
        // What an image read in place could not give (entries beyond the end of a truncated image, links).
        for p in (medium as? ImageMedium)?.problems ?? [] { report.problems.append((medium.location, p)) }
        var candidates: [ImportPlan.Candidate] = []
        var referenced = Set<String>()
        var fileSet: FileSet?
        var dicomdirPath: String?
        switch index.lookup(FileID(["DICOMDIR"])) {
        case .exact(let p), .variant(let p):
            dicomdirPath = p
            do {
                // Only what an import reads of each record (and its links) is kept as the DICOMDIR is parsed: the
                // plan's memory does not grow with the records' keys.
                let collector = DirectoryRecordCollector(spill: spill)
                let f = try medium.readDICOM(p, options: collector.reading(DirectoryRecord.fileReferencesOnly))
                let sopClass = f.fileMeta.string(.mediaStorageSOPClassUID) ?? ""
                guard sopClass == UID.mediaStorageDirectoryStorage else {
                    throw MediaError(.unreadable, "Media Storage SOP Class is '\(sopClass)', not Media Storage Directory Storage (PS3.10 8.6)")
                }
                fileSet = DICOMDIRReader.read(consume f, collected: collector)
            } catch {
                summary.dicomdir = "broken"
                summary.note = "DICOMDIR cannot be read (\(error)); scanned the medium instead"
                report.problems.append(
                    (
                        medium.location,
                        FileSetProblem(
                            .error, .importDICOMDIRBroken, "DICOMDIR cannot be read: \(error); scanned the medium instead", fileID: p, rule: "PS3.10 8.6")
                    ))
            }
        default:
            summary.note = "no DICOMDIR; scanned the medium"
        }
        // One candidate per file at most: the array at its final size at once, not twice it while it doubles.
        candidates.reserveCapacity(files.count)
        if let fs = fileSet {
            fileSet = nil  // the tree goes when this block ends; the candidates share its records' buffers
            plan.fileSetID = fs.fileSetID; plan.fileSetUID = fs.fileSetUID
            summary.fileSetID = fs.fileSetID; summary.fileSetUID = fs.fileSetUID
            summary.dicomdir = "used"
            for p in fs.problems { report.problems.append((medium.location, p)) }
            if let d = fs.descriptorFileID, let p = index.lookupPath(d) { referenced.insert(p) }
            // Each record of the tree, then of the orphan subtrees, visited in place (no list of them all).
            func follow(_ rec: DirectoryRecord) {
                guard let id = rec.referencedFileID else { return }
                switch index.lookup(id) {
                case .exact(let p):
                    if referenced.insert(p).inserted { candidates.append(.init(path: p, record: rec.fileReference)) }
                case .variant(let p):
                    report.problems.append(
                        (
                            medium.location,
                            FileSetProblem(
                                .warning, .fileIDVariant, "file found only as \(p) (case, version or suffix differs)", fileID: id.path, rule: "PS3.10 8.5")
                        ))
                    if referenced.insert(p).inserted { candidates.append(.init(path: p, record: rec.fileReference)) }
                case .missing:
                    report.missing.append(
                        ImportReport.FileProblem(
                            source: medium.location, path: id.path,
                            reason: "named by the DICOMDIR (\(rec.type.rawValue) \(rec.referencedSOPInstanceUID ?? "")) but not on the medium"))
                case .outsideRoot:
                    report.failed.append(
                        ImportReport.FileProblem(
                            source: medium.location, path: id.path, reason: "File ID leaves the medium's root; refused, not read (PS3.10 8.2)"))
                    report.problems.append(
                        (
                            medium.location,
                            FileSetProblem(
                                .error, .fileIDOutsideRoot, "File ID leaves the medium's root; refused, not read", fileID: id.path, rule: "PS3.10 8.2")
                        ))
                }
            }
            for r in fs.records { r.forEach { rec, _ in follow(rec) } }
            for r in fs.orphans { r.forEach { rec, _ in follow(rec) } }
        }
        // Lower-level directory files (Philips DIRFILE): their records' File IDs are root-relative.
        LowerLevelDirectory.follow(medium: medium, files: files, index: index, referenced: &referenced, candidates: &candidates, report: &report)
        // Everything the DICOMDIR does not list (or every file without a usable DICOMDIR).
        for f in files where !referenced.contains(f.path) && f.path != dicomdirPath {
            candidates.append(.init(path: f.path, record: nil))
        }
        if summary.note.isEmpty { summary.note = "followed the DICOMDIR (\(referenced.count) files)" }
        report.media.append(summary)
        // Each candidate keeps only the file reference of its record (trimmed as it was taken, here and in
        // LowerLevelDirectory), not the record's keys: the plan stays small however many files the medium holds.
        plan.candidates = candidates
        return plan
    }
}

extension DirectoryRecord {
    /// The elements of the record an import reads (PS3.3 F.5): Directory Record Type, Referenced File ID and the
    /// Referenced SOP Class, SOP Instance and Transfer Syntax UID in File; no children. Held packed (one buffer,
    /// not a value array per element); these CS and UI values do not depend on the character set.
    var fileReference: DirectoryRecord {
        var r = self
        r.children = []
        // Already so (a DirectoryRecordCollector read for file references): the packed buffer is shared, not copied.
        if !packed.isEmpty, ElementStream.tags(in: packed).allSatisfy(Self.fileReferenceTags.contains) { return r }
        r.keys.removeAll { !Self.fileReferenceTags.contains($0.tag) }
        r.keys.characterSet = .default
        r.pack()
        return r
    }

    /// What an import reads of a record (PS3.3 F.5): the elements ``fileReference`` keeps.
    static let fileReferenceTags: Set<Tag> = [
        .directoryRecordType, .referencedFileID, .referencedSOPClassUIDInFile, .referencedSOPInstanceUIDInFile, .referencedTransferSyntaxUIDInFile,
    ]

    /// Reads a DICOMDIR keeping of each record only ``fileReferenceTags`` and its links (PS3.3 F.3.2.1), as it parses.
    static let fileReferencesOnly: ReadOptions = {
        var o = ReadOptions()
        o.itemElements = (.directoryRecordSequence, fileReferenceTags.union(DICOMDIRReader.linkTags))
        return o
    }()
}

extension MediumIndex {
    func lookupPath(_ id: FileID) -> String? {
        switch lookup(id) {
        case .exact(let p), .variant(let p): return p;
        default: return nil
        }
    }
}
