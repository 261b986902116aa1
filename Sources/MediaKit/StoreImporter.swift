import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMStore
import Dispatch
import Foundation
import FileSystem
#if canImport(Glibc)
import Glibc
#endif

/// Options of an import.
public struct ImportOptions: Sendable {
    /// Classify and report only; write nothing (the store is not created).
    public var dryRun = false
    /// Applied to each instance before it is stored (re-encoded in the same transfer syntax):
    /// import reconciliation (IHE IRWF) and/or de-identification (PS3.15 E.1), in that order (`TransformChain`).
    public var transform: (any InstanceTransform)?
    /// Files read and written per durability barrier (one syncfs for the batch's data, one for its renames).
    public var batchSize = 256
    /// Bytes held in memory per batch, at most (a batch ends early past it).
    public var batchBytes = 256 << 20
    /// What the provenance columns keep of where each instance came from (see ``ProvenanceMode``).
    public var provenance: ProvenanceMode = .full
    /// The key of `.hash` (and `.label` without a File-set ID) medium tokens: the store's `deid.key`.
    /// A random one per run when nil (tokens then differ between runs).
    public var provenanceKey: [UInt8]?
    public init() {}
}

/// What a store keeps of an instance's origin (sourceLocation, sourceFileSetID/UID, sourceFileID, sourcePath).
public enum ProvenanceMode: String, Sendable, CaseIterable {
    /// Everything: the medium's path, its File-set ID and UID, the File ID and the path on the medium.
    case full
    /// The medium's File-set ID (0004,1130) as its label (its token when it has none); no paths, File IDs or UIDs.
    case label
    /// Only a token of the medium: "medium-" and 16 hex digits of HMAC-SHA-256 under the store's key of
    /// its File-set UID (else its path), the same for every instance of one medium; nothing else.
    case hash

    /// The row's provenance for a file at `path` (named `fileID` by the DICOMDIR) of `medium`.
    func provenance(kind: String, location: String, fileSetID: String?, fileSetUID: String?, fileID: String?, path: String,
                    key: [UInt8]) -> StoredInstance.Provenance {
        switch self {
        case .full:
            return .init(kind: kind, location: location, fileSetID: fileSetID, fileSetUID: fileSetUID, fileID: fileID, path: path)
        case .label, .hash:
            // The File-set UID names the medium wherever it is mounted; else its real path does.
            let name = nonEmpty(fileSetUID) ?? realPath(location) ?? location
            let h = KeyedHash.hmac(key: key, Array("MEDIUM:\(name)".utf8)).prefix(8)
            let token = "medium-" + h.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            if self == .label, let id = fileSetID, !id.isEmpty {
                return .init(kind: kind, location: id, fileSetID: id, path: "")
            }
            return .init(kind: kind, location: token, path: "")
        }
    }
}

/// What an import found and did, per file, plus what it said about each medium.
public struct ImportReport: Sendable {
    public struct Item: Sendable {
        public var sopInstanceUID: String
        public var source: String
        /// Path on the medium (relative to its root).
        public var sourcePath: String
        /// Path of the stored file, relative to the store (the existing copy for already-present ones).
        public var storedPath: String?
        /// SHA-256 of the content read (after any transform): names a copy in `store remove UID --copy SHA256`.
        public var sha256: String?
    }
    public struct FileProblem: Sendable {
        public var source: String
        public var path: String
        public var reason: String
    }
    /// How a medium was read.
    public struct Medium: Sendable {
        public var location: String
        public var kind: String
        /// "used" (followed the DICOMDIR), "stale" (followed it and scanned files it does not list),
        /// "broken" (unreadable: scanned the medium), "missing" (none: scanned the medium).
        public var dicomdir: String
        public var fileSetID: String?
        public var fileSetUID: String?
        public var files: Int
        public var note: String
    }

    public var store: String
    public var dryRun: Bool
    public var media: [Medium] = []
    public var imported: [Item] = []
    public var alreadyPresent: [Item] = []
    public var conflicts: [Item] = []
    public var missing: [FileProblem] = []
    public var failed: [FileProblem] = []
    public var notDICOM: [FileProblem] = []
    /// DICOMDIR problems, records that disagree with their files, names found only as variants, refused File IDs.
    public var problems: [(source: String, problem: FileSetProblem)] = []
    public var reconciliation: DICOMStore.Reconciliation?

    /// Missing, failed, conflicting files, or a stale or broken DICOMDIR, or any error-level problem.
    public var hasProblems: Bool {
        !missing.isEmpty || !failed.isEmpty || !conflicts.isEmpty || media.contains { $0.dicomdir == "stale" || $0.dicomdir == "broken" }
            || problems.contains { $0.problem.severity >= .error }
    }

    public var json: JSON {
        func item(_ i: Item) -> JSON {
            .object([("sopInstanceUID", .string(i.sopInstanceUID)), ("source", .string(i.source)),
                     ("sourcePath", .string(i.sourcePath)), ("storedPath", i.storedPath.map { .string($0) } ?? .null),
                     ("sha256", i.sha256.map { .string($0) } ?? .null)])
        }
        func fp(_ p: FileProblem, _ key: String = "path") -> JSON {
            .object([("source", .string(p.source)), (key, .string(p.path)), ("reason", .string(p.reason))])
        }
        var rec: JSON = .null
        if let r = reconciliation, r.interrupted {
            rec = .object([("tmpRemoved", .int(Int64(r.tmpRemoved))), ("orphanFilesRemoved", .int(Int64(r.orphanFilesRemoved))),
                           ("rowsWithoutFileRemoved", .int(Int64(r.rowsWithoutFileRemoved)))])
        }
        return .object([
            ("store", .string(store)),
            ("dryRun", .bool(dryRun)),
            ("imported", .int(Int64(imported.count))),
            ("alreadyPresent", .int(Int64(alreadyPresent.count))),
            ("conflicts", .int(Int64(conflicts.count))),
            ("missing", .int(Int64(missing.count))),
            ("failed", .int(Int64(failed.count))),
            ("notDicom", .int(Int64(notDICOM.count))),
            ("media", .array(media.map { m in
                .object([("location", .string(m.location)), ("kind", .string(m.kind)), ("dicomdir", .string(m.dicomdir)),
                         ("fileSetID", m.fileSetID.map { .string($0) } ?? .null), ("fileSetUID", m.fileSetUID.map { .string($0) } ?? .null),
                         ("files", .int(Int64(m.files))), ("note", .string(m.note))])
            })),
            ("lists", .object([
                ("imported", .array(imported.map(item))),
                ("alreadyPresent", .array(alreadyPresent.map(item))),
                ("conflicts", .array(conflicts.map(item))),
                ("missing", .array(missing.map { fp($0, "fileID") })),
                ("failed", .array(failed.map { fp($0) })),
                ("notDicom", .array(notDICOM.map { fp($0) })),
            ])),
            ("problems", .array(problems.map { s, p in
                var o: [(String, JSON)] = [("source", .string(s))]
                if case .object(let po) = p.json { o += po }
                return .object(o)
            })),
            ("reconciled", rec),
        ])
    }

    /// Warnings of the media read (names found only as variants, DICOMDIR problems of warning level).
    public var hasWarnings: Bool { problems.contains { $0.problem.severity == .warning } }

    /// Everything for stderr, each prefixed with the medium it was found on (its DICOMDIR when one was
    /// followed): conflicts, missing and failed files, problems, files skipped as not DICOM.
    public var diagnostics: [FileSetProblem] {
        func input(_ location: String) -> String {
            media.first { $0.location == location && $0.dicomdir != "missing" }.map { m in
                m.location.hasSuffix("DICOMDIR") ? m.location : m.location + (m.kind == "iso" ? ":DICOMDIR" : "/DICOMDIR")
            } ?? location
        }
        var out: [FileSetProblem] = []
        out += conflicts.map { FileSetProblem(.error, "conflict", "SOP Instance \($0.sopInstanceUID) differs from the stored copy; kept both, this one (SHA-256 \($0.sha256 ?? "?")) flagged; compare the copies with `dicom-media store conflicts`, keep one with `dicom-media store remove \($0.sopInstanceUID) --copy SHA256`", fileID: $0.sourcePath, rule: "store: one content per SOP Instance UID", source: input($0.source)) }
        out += missing.map { FileSetProblem(.error, "file-missing", $0.reason, fileID: $0.path, rule: "PS3.3 F.2.1", source: input($0.source)) }
        out += failed.map { FileSetProblem(.error, "failed", $0.reason, fileID: $0.path, rule: "PS3.10 7", source: input($0.source)) }
        out += problems.map { $0.problem.from(input($0.source)) }
        out += notDICOM.map { FileSetProblem(.info, "not-dicom", "not DICOM, skipped: \($0.reason)", fileID: $0.path, rule: "PS3.10 7.1", source: input($0.source)) }
        return out
    }

    /// The results (stdout): each medium read and the summary; `diagnostics` go to stderr.
    public var text: String {
        var lines: [String] = []
        for m in media {
            lines.append("\(m.location) (\(m.kind), \(m.files) files): \(m.note)")
        }
        if let r = reconciliation, r.interrupted {
            lines.append("recovered an interrupted run: \(r.tmpRemoved) temporary, \(r.orphanFilesRemoved) orphan files and \(r.rowsWithoutFileRemoved) rows without file removed")
        }
        lines.append("\(dryRun ? "would import" : "imported") \(imported.count), already present \(alreadyPresent.count), conflicts \(conflicts.count), missing \(missing.count), failed \(failed.count), not DICOM \(notDICOM.count)")
        return lines.joined(separator: "\n")
    }
}

/// Opens a SOURCE of `import`: a folder (File-set, mounted disc or plain folder), a DICOMDIR file
/// (its folder is the medium), or a single file.
public enum MediumOpener {
    public static func open(_ source: String) throws -> MediumReader {
        var src = source
        while src.count > 1 && src.hasSuffix("/") { src.removeLast() }
        if isDirectory(src) { return FolderMedium(root: src) }
        guard isRegularFile(src) else { throw MediaError(.notFound, "no such file or folder", path: src) }
        let slash = src.lastIndex(of: "/")
        let dir = slash.map { String(src[..<$0]) } ?? "."
        let name = slash.map { String(src[src.index(after: $0)...]) } ?? src
        if name.uppercased() == "DICOMDIR" { return FolderMedium(root: dir.isEmpty ? "/" : dir) }
        if FileSetImage.isImage(src) { return try ImageMedium(image: src) }
        return FolderMedium(root: dir.isEmpty ? "/" : dir, only: [name])
    }
}

/// Imports media into a store: follows a usable DICOMDIR and checks each file against its record,
/// scans the medium when the DICOMDIR is missing, stale or broken; reports every file it could not
/// take; stores each new instance crash-safely (temp file, syncfs, rename, syncfs, then the row).
public enum StoreImporter {
    /// The store's secret de-identification key (`deid.key`, 32 random bytes, mode 0600), made on first use:
    /// the same original UID gets the same new UID in every import into this store (PS3.15 E.3.10 consistency).
    public static func deidentificationKey(storeRoot: String, create: Bool) throws -> [UInt8] {
        let path = storeRoot + "/deid.key"
        if let d = FileManager.default.contents(atPath: path), d.count == 32 { return [UInt8](d) }
        var key = [UInt8](repeating: 0, count: 32)
        var g = SystemRandomNumberGenerator()
        for i in key.indices { key[i] = UInt8.random(in: 0...255, using: &g) }
        guard create else { return key }
        try makeDirectories(storeRoot)
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw MediaError(.io, "cannot write the de-identification key", path: path)
        }
        // Two first imports at once: the first link wins and both use its key.
        if link(tmp, path) != 0 { unlink(tmp); return try deidentificationKey(storeRoot: storeRoot, create: false) }
        unlink(tmp)
        return key
    }

    /// A file to read, with the record that named it when there is one.
    struct Candidate {
        var path: String
        var record: DirectoryRecord?
    }

    /// Bytes read first from large unlisted files to tell whether they are DICOM at all.
    static let sniffSize = 4096

    enum Prepared {
        /// The row, the bytes to store, and problems of the file (File Meta or its record disagreeing with its data set).
        case ready(StoredInstance, [UInt8], [FileSetProblem])
        case notDICOM(String)
        case failed(String)
    }

    /// Imports `media` into `store` (nil only for a dry run against a store that does not exist yet).
    public static func run(media: [MediumReader], store: DICOMStore?, storeRoot: String, options: ImportOptions = ImportOptions(),
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ImportReport {
        var report = ImportReport(store: storeRoot, dryRun: options.dryRun)
        if let store, !options.dryRun {
            report.reconciliation = try store.reconcileIfIdle()
        }
        // Plan every medium first, so progress knows the total.
        var plans: [(MediumReader, MediumFileSetInfo, [Candidate])] = []
        let key = options.provenanceKey ?? (0..<32).map { _ in UInt8.random(in: 0...255) }
        for m in media {
            var (info, cands) = try plan(m, report: &report)
            info.provenanceKey = key
            plans.append((m, info, cands))
        }
        let total = plans.reduce(0) { $0 + $1.2.count }
        var done = 0
        let body = { (session: DICOMStore.ImportSession?) throws in
            // Batch N commits (syncfs, renames, rows) on another thread while batch N+1 is read and staged.
            let committer = Committer()
            // On an error, no commit may go on after the session ends.
            defer { committer.wait() }
            for (medium, info, cands) in plans {
                var start = 0
                while start < cands.count {
                    var end = start, bytes = 0
                    while end < cands.count && end - start < max(1, options.batchSize) && bytes < options.batchBytes {
                        bytes += info.sizes[cands[end].path] ?? 0; end += 1
                    }
                    try importBatch(Array(cands[start..<end]), medium: medium, info: info, store: store, session: session,
                                    committer: committer, options: options, report: &report)
                    done += end - start
                    progress?(done, total)
                    start = end
                }
            }
            try committer.finish(&report)
        }
        if let store, !options.dryRun {
            try store.importSession { try body($0) }
        } else {
            try body(nil)
        }
        return report
    }

    struct MediumFileSetInfo {
        var fileSetID: String?
        var fileSetUID: String?
        var sizes: [String: Int]
        var provenanceKey: [UInt8] = []
    }

    /// Decides which files to read: the DICOMDIR's referenced files when it is usable, plus every
    /// file it does not list (which makes it stale when some are DICOM); every file when it is missing or broken.
    static func plan(_ medium: MediumReader, report: inout ImportReport) throws -> (MediumFileSetInfo, [Candidate]) {
        let scanned = try medium.scan()
        let files = scanned.files
        for (path, why) in scanned.skipped {
            report.problems.append((medium.location, FileSetProblem(.error, "symlink-skipped", "\(path): \(why)", rule: "PS3.10 8.2")))
        }
        let index = MediumIndex(files: files)
        var info = MediumFileSetInfo(sizes: Dictionary(files.map { ($0.path, $0.size) }, uniquingKeysWith: { a, _ in a }))
        var summary = ImportReport.Medium(location: medium.location, kind: medium.kind, dicomdir: "missing", files: files.count, note: "")
        // What an image read in place could not give (entries beyond the end of a truncated image, links).
        for p in (medium as? ImageMedium)?.problems ?? [] { report.problems.append((medium.location, p)) }
        var candidates: [Candidate] = []
        var referenced = Set<String>()
        var fileSet: FileSet?
        var dicomdirPath: String?
        switch index.lookup(FileID(["DICOMDIR"])) {
        case .exact(let p), .variant(let p):
            dicomdirPath = p
            do {
                let bytes = try medium.read(p)
                let f = try Part10Reader.read(bytes: bytes, path: p)
                let sopClass = f.fileMeta.string(.mediaStorageSOPClassUID) ?? ""
                guard sopClass == UID.mediaStorageDirectoryStorage else {
                    throw MediaError(.unreadable, "Media Storage SOP Class is '\(sopClass)', not Media Storage Directory Storage (PS3.10 8.6)")
                }
                fileSet = DICOMDIRReader.read(f)
            } catch {
                summary.dicomdir = "broken"
                summary.note = "DICOMDIR cannot be read (\(error)); scanned the medium instead"
                report.problems.append((medium.location, FileSetProblem(.error, "dicomdir-broken", "DICOMDIR cannot be read: \(error); scanned the medium instead", fileID: p, rule: "PS3.10 8.6")))
            }
        default:
            summary.note = "no DICOMDIR; scanned the medium"
        }
        if let fs = fileSet {
            info.fileSetID = fs.fileSetID; info.fileSetUID = fs.fileSetUID
            summary.fileSetID = fs.fileSetID; summary.fileSetUID = fs.fileSetUID
            summary.dicomdir = "used"
            for p in fs.problems { report.problems.append((medium.location, p)) }
            if let d = fs.descriptorFileID, let p = index.lookupPath(d) { referenced.insert(p) }
            for (rec, _) in fs.allRecords(includingOrphans: true) {
                guard let id = rec.referencedFileID else { continue }
                switch index.lookup(id) {
                case .exact(let p):
                    if referenced.insert(p).inserted { candidates.append(Candidate(path: p, record: rec)) }
                case .variant(let p):
                    report.problems.append((medium.location, FileSetProblem(.warning, "file-id-variant", "file found only as \(p) (case, version or suffix differs)", fileID: id.path, rule: "PS3.10 8.5")))
                    if referenced.insert(p).inserted { candidates.append(Candidate(path: p, record: rec)) }
                case .missing:
                    report.missing.append(ImportReport.FileProblem(source: medium.location, path: id.path, reason: "named by the DICOMDIR (\(rec.type.rawValue) \(rec.referencedSOPInstanceUID ?? "")) but not on the medium"))
                case .outsideRoot:
                    report.failed.append(ImportReport.FileProblem(source: medium.location, path: id.path, reason: "File ID leaves the medium's root; refused, not read (PS3.10 8.2)"))
                    report.problems.append((medium.location, FileSetProblem(.error, "file-id-outside-root", "File ID leaves the medium's root; refused, not read", fileID: id.path, rule: "PS3.10 8.2")))
                }
            }
        }
        // Lower-level directory files (Philips DIRFILE): their records' File IDs are root-relative.
        LowerLevelDirectory.follow(medium: medium, files: files, index: index, referenced: &referenced, candidates: &candidates, report: &report)
        // Everything the DICOMDIR does not list (or every file without a usable DICOMDIR).
        for f in files where !referenced.contains(f.path) && f.path != dicomdirPath {
            candidates.append(Candidate(path: f.path, record: nil))
        }
        if summary.note.isEmpty { summary.note = "followed the DICOMDIR (\(referenced.count) files)" }
        report.media.append(summary)
        return (info, candidates)
    }

    static func importBatch(_ cands: [Candidate], medium: MediumReader, info: MediumFileSetInfo, store: DICOMStore?,
                            session: DICOMStore.ImportSession?, committer: Committer, options: ImportOptions,
                            report: inout ImportReport) throws {
        let now = DICOMStore.timestamp()
        let slots = ConcurrentSlots<Prepared>(count: cands.count)
        if !cands.isEmpty {
            DispatchQueue.concurrentPerform(iterations: cands.count) { i in
                slots[i] = prepare(cands[i], medium: medium, info: info, options: options, importedAt: now)
            }
        }
        var ready: [(Int, StoredInstance, [UInt8])] = []
        for (i, p) in slots.values.enumerated() {
            let c = cands[i]
            switch p {
            case .ready(let row, let bytes, let warnings):
                for w in warnings { report.problems.append((medium.location, w)) }
                ready.append((i, row, bytes))
            case .notDICOM(let why):
                if c.record != nil {
                    report.failed.append(.init(source: medium.location, path: c.path, reason: "named by the DICOMDIR but not DICOM: \(why)"))
                } else {
                    report.notDICOM.append(.init(source: medium.location, path: c.path, reason: why))
                }
            case .failed(let why):
                report.failed.append(.init(source: medium.location, path: c.path, reason: why))
            case .none: break
            }
        }
        // A DICOM instance the DICOMDIR does not list makes it stale.
        let unlisted = ready.filter { cands[$0.0].record == nil }.count
        if unlisted > 0, let mi = report.media.lastIndex(where: { $0.location == medium.location }), report.media[mi].dicomdir != "missing", report.media[mi].dicomdir != "broken" {
            if report.media[mi].dicomdir != "stale" {
                report.problems.append((medium.location, FileSetProblem(.warning, "dicomdir-stale", "the DICOMDIR does not list DICOM files on the medium; they were found by scanning and imported", rule: "PS3.10 8.3")))
            }
            report.media[mi].dicomdir = "stale"
            report.media[mi].note = "DICOMDIR is stale: followed it and scanned the files it does not list"
        }
        if options.dryRun || session == nil {
            let present = try store?.storedHashes(ready.map(\.1.sha256)) ?? []
            var seenSHA = Set<String>(), seenUID = Set<String>()
            for (i, row, _) in ready {
                let item = ImportReport.Item(sopInstanceUID: row.sopInstanceUID, source: medium.location, sourcePath: cands[i].path, storedPath: nil, sha256: row.sha256)
                if present.contains(row.sha256) || seenSHA.contains(row.sha256) { report.alreadyPresent.append(item); continue }
                let known = try store?.hasSOPInstance(row.sopInstanceUID) ?? false
                if known || seenUID.contains(row.sopInstanceUID) { report.conflicts.append(item) } else { report.imported.append(item) }
                seenSHA.insert(row.sha256); seenUID.insert(row.sopInstanceUID)
            }
            return
        }
        guard let session else { return }
        let staged = try session.stage(ready.map { (row: $0.1, bytes: $0.2) })
        let items = ready.map { i, row, _ in
            ImportReport.Item(sopInstanceUID: row.sopInstanceUID, source: medium.location, sourcePath: cands[i].path, storedPath: row.path, sha256: row.sha256)
        }
        try committer.finish(&report)
        committer.start(items) { try session.commit(staged) }
    }

    /// Runs one batch's commit at a time on a background thread; its outcomes go into the report
    /// (on the caller's thread) when the next batch is staged or at the end.
    final class Committer: @unchecked Sendable {
        private let group = DispatchGroup()
        private var items: [ImportReport.Item] = []
        private var result: Result<[DICOMStore.Outcome], Error>?

        func start(_ items: [ImportReport.Item], _ work: @escaping @Sendable () throws -> [DICOMStore.Outcome]) {
            self.items = items
            group.enter()
            DispatchQueue.global().async {
                let r = Result { try work() }
                self.result = r
                self.group.leave()
            }
        }

        func wait() { group.wait() }

        func finish(_ report: inout ImportReport) throws {
            group.wait()
            guard let r = result else { return }
            result = nil
            let outcomes = try r.get()
            for (k, item) in items.enumerated() {
                switch outcomes[k] {
                case .inserted: report.imported.append(item)
                case .conflict: report.conflicts.append(item)
                case .alreadyPresent: report.alreadyPresent.append(item)
                }
            }
            items = []
        }
    }

    /// Reads, parses (header only), transforms when asked, hashes; builds the row.
    static func prepare(_ c: Candidate, medium: MediumReader, info: MediumFileSetInfo, options: ImportOptions, importedAt: String) -> Prepared {
        let name = c.path.split(separator: "/").last.map(String.init) ?? c.path
        if name.uppercased() == "DICOMDIR" { return .notDICOM("a DICOMDIR, not an instance") }
        // A large file no DICOMDIR record names (a viewer, a video) is told apart by its first bytes.
        if c.record == nil, (info.sizes[c.path] ?? 0) > StoreImporter.sniffSize {
            do {
                _ = try Part10Reader.read(bytes: try medium.readPrefix(c.path, count: StoreImporter.sniffSize), path: c.path, options: .headerOnly)
            } catch let e as DICOMParseError where (e.code == .notDICOM && e.offset == 0) || e.code == .empty {
                return .notDICOM(e.message)
            } catch {}  // a truncated prefix of a DICOM file: read it whole below
        }
        var bytes: [UInt8]
        do { bytes = try medium.read(c.path) } catch { return .failed("cannot read: \(error)") }
        var file: DICOMFile
        do {
            file = try Part10Reader.read(bytes: bytes, path: c.path, options: .headerOnly)
        } catch let e as DICOMParseError {
            if e.code == .notDICOM || e.code == .empty { return .notDICOM(e.message) }
            return .failed(e.description)
        } catch { return .failed("\(error)") }
        var sopClass = nonEmpty(file.dataSet.string(.sopClassUID)) ?? file.fileMeta.string(.mediaStorageSOPClassUID) ?? ""
        if file.fileMeta.string(.mediaStorageSOPClassUID) == UID.mediaStorageDirectoryStorage || sopClass == UID.mediaStorageDirectoryStorage {
            return .notDICOM("a DICOMDIR, not an instance")
        }
        // (0008,0016) and (0008,0018) identify the instance; a File Meta saying otherwise is reported (PS3.10 7.1).
        var warnings = FileMetaCheck.mismatches(fileMeta: file.fileMeta, dataSet: file.dataSet).map {
            FileSetProblem(.warning, FileMetaCheck.code, "\(c.path): \($0); the data set's UID is used", fileID: c.record?.referencedFileID?.path, rule: "PS3.10 7.1")
        }
        // The record is checked against the file as read, before any transform replaces its UIDs.
        if let rec = c.record {
            let instance = nonEmpty(file.dataSet.string(.sopInstanceUID)) ?? file.fileMeta.string(.mediaStorageSOPInstanceUID) ?? ""
            for m in mismatches(sopInstanceUID: instance, sopClassUID: sopClass, transferSyntaxUID: file.transferSyntax.uid, rec) {
                warnings.append(FileSetProblem(.error, "record-mismatch", m, fileID: rec.referencedFileID?.path, rule: "PS3.3 F.5"))
            }
        }
        // Complete instances only (PS3.10 §7): one cut short is refused, named with offset and tag.
        do { try Completeness.check(bytes: bytes, path: c.path) } catch let e as DICOMParseError {
            return .failed("\(e.code == .incomplete ? "incomplete instance" : "refused") [\(e.code)]: \(e.located)")
        } catch { return .failed("\(error)") }
        if let transform = options.transform {
            do {
                let full = try Part10Reader.read(bytes: bytes, path: c.path)
                var ds = full.dataSet, meta = full.fileMeta
                try transform.apply(to: &ds, fileMeta: &meta)
                let ts = Part10Writer.canWrite(full.transferSyntax) ? full.transferSyntax : .explicitVRLittleEndian
                bytes = try Part10Writer.encode(dataSet: ds, fileMeta: meta, options: WriteOptions(transferSyntax: ts))
                file = try Part10Reader.read(bytes: bytes, path: c.path, options: .headerOnly)
                sopClass = nonEmpty(file.dataSet.string(.sopClassUID)) ?? file.fileMeta.string(.mediaStorageSOPClassUID) ?? ""
            } catch {
                return .failed("cannot transform before storing: \(error)")
            }
        }
        let ds = file.dataSet
        let sopInstance = nonEmpty(ds.string(.sopInstanceUID)) ?? file.fileMeta.string(.mediaStorageSOPInstanceUID) ?? ""
        guard !sopClass.isEmpty, !sopInstance.isEmpty else { return .failed("no SOP Class UID or SOP Instance UID (PS3.10 7.1)") }
        // The transform ran above, so the row is built from transformed values only: no original is ever written.
        let row = StoredInstance(
            dataSet: ds, sopClassUID: sopClass, sopInstanceUID: sopInstance, transferSyntaxUID: file.transferSyntax.uid, bytes: bytes,
            provenance: options.provenance.provenance(kind: medium.kind, location: medium.location, fileSetID: info.fileSetID,
                                                      fileSetUID: info.fileSetUID, fileID: c.record?.referencedFileID?.path, path: c.path,
                                                      key: info.provenanceKey),
            importedAt: importedAt)
        return .ready(row, bytes, warnings)
    }

    /// How a file disagrees with the directory record that names it (PS3.3 F.5: Referenced SOP Class,
    /// SOP Instance and Transfer Syntax UID in File).
    static func mismatches(sopInstanceUID: String, sopClassUID: String, transferSyntaxUID: String, _ rec: DirectoryRecord) -> [String] {
        var out: [String] = []
        if let u = rec.referencedSOPInstanceUID, u != sopInstanceUID {
            out.append("record names SOP Instance \(u), the file holds \(sopInstanceUID)")
        }
        if let u = rec.referencedSOPClassUID, u != sopClassUID {
            out.append("record names SOP Class \(u), the file holds \(sopClassUID)")
        }
        if let u = rec.referencedTransferSyntaxUID, u != transferSyntaxUID {
            out.append("record names transfer syntax \(u), the file is in \(transferSyntaxUID)")
        }
        return out
    }
}

func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }

/// Whether a file's File Meta (group 0002) agrees with its data set on the SOP Class and Instance (PS3.10 7.1).
public enum FileMetaCheck {
    /// The stable code of the warning.
    public static let code: DiagnosticCode = "file-meta-mismatch"

    /// What disagrees, one sentence each; empty when the File Meta agrees or leaves a UID out.
    public static func mismatches(fileMeta meta: DataSet, dataSet ds: DataSet) -> [String] {
        var out: [String] = []
        if let m = nonEmpty(meta.string(.mediaStorageSOPClassUID)), let d = nonEmpty(ds.string(.sopClassUID)), m != d {
            out.append("Media Storage SOP Class UID (0002,0002) \(m) differs from SOP Class UID (0008,0016) \(d)")
        }
        if let m = nonEmpty(meta.string(.mediaStorageSOPInstanceUID)), let d = nonEmpty(ds.string(.sopInstanceUID)), m != d {
            out.append("Media Storage SOP Instance UID (0002,0003) \(m) differs from SOP Instance UID (0008,0018) \(d)")
        }
        return out
    }

    /// The File Meta must be rebuilt for a copy written to a medium: it disagrees, or lacks a UID the data set has.
    public static func needsRebuild(fileMeta meta: DataSet, dataSet ds: DataSet) -> Bool {
        if !mismatches(fileMeta: meta, dataSet: ds).isEmpty { return true }
        if nonEmpty(meta.string(.mediaStorageSOPClassUID)) == nil && nonEmpty(ds.string(.sopClassUID)) != nil { return true }
        if nonEmpty(meta.string(.mediaStorageSOPInstanceUID)) == nil && nonEmpty(ds.string(.sopInstanceUID)) != nil { return true }
        return false
    }
}

extension MediumIndex {
    func lookupPath(_ id: FileID) -> String? {
        switch lookup(id) { case .exact(let p), .variant(let p): return p; default: return nil }
    }
}

