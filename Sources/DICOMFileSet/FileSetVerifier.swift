import DICOMCore
import DICOMIO
import Dispatch
import Foundation
import FileSystem
#if canImport(Glibc)
import Glibc
#endif

/// One structural check of a whole File-set (PS3.10 §8, PS3.3 Annex F, PS3.11): the DICOMDIR
/// reader's findings plus every check below, each problem with a severity, a stable code, the
/// File ID concerned and the rule. Severity: `error` = breaks conformance or loses data, `warning`
/// = a deviation readers tolerate, `info` = a note.
///
/// Codes found by ``DICOMDIRReader`` while it builds the tree (`fileSet.problems`), passed through unchanged:
///
/// | Code | Severity | Rule | Finding |
/// |---|---|---|---|
/// | `dicomdir-no-meta` | error | PS3.10 7.1 | the DICOMDIR has no File Meta Information |
/// | `dicomdir-encoding` | warning | PS3.10 7.1 | damage the Part 10 reader tolerated in the DICOMDIR |
/// | `dicomdir-sop-class` | error | PS3.10 7.1 | (0002,0002) is not Media Storage Directory Storage |
/// | `dicomdir-transfer-syntax` | warning | PS3.10 8.6, PS3.11 | the DICOMDIR is not Explicit VR Little Endian |
/// | `no-fileset-uid` | error | PS3.10 8.4 | no File-set UID (0002,0003) |
/// | `consistency-flag` | warning | PS3.3 F.3.2.1 | File-set Consistency Flag (0004,1212) is not 0000H |
/// | `no-record-sequence` | error | PS3.3 F.3.2.1 | no Directory Record Sequence (0004,1220) |
/// | `offset-not-item` | error | PS3.3 F.3.2.1 | an offset does not point at a record's item tag |
/// | `no-root-offset` | error | PS3.3 F.3.2.1 | (0004,1200) is 0 although there are records (tree rebuilt from record order) |
/// | `record-loop` | error | PS3.3 F.2.1 | a record is reached twice |
/// | `record-depth` | error | PS3.3 F.2.1 | more than 64 levels |
/// | `orphan-record` | error | PS3.3 F.2.1 | a record no offset chain reaches (its file still counts as referenced here) |
/// | `inactive-record` | warning | PS3.3 F.3.2.2 | Record In-use Flag 0000H (retired); the record is ignored |
/// | `root-record-type` | warning | PS3.3 F.4 | (`list`, `import`) a record type the root entity may not hold; verify reports it as `record-misplaced` |
/// | `last-root-offset` | warning | PS3.3 F.3.2.1 | (0004,1202) is not the last root record |
/// | `record-misplaced` | error | PS3.3 F.4 | (rebuilt tree) a record without a parent of the level above |
///
/// Codes added by the verifier:
///
/// | Code | Severity | Rule | Finding |
/// |---|---|---|---|
/// | `record-type-missing` | error | PS3.3 F.3.2.2 | a record without Directory Record Type (0004,1430) |
/// | `record-type-unknown` | warning | PS3.3 F.3.2.2, PS3.2 7.3 | a type this library does not know (newer standard or private spelling); ignored |
/// | `record-type-retired` | warning | PS3.3 F.3.2.2 (retired) | PRINT QUEUE, VISIT, MRDR, HL7 STRUC DOC, ... |
/// | `record-misplaced` | error | PS3.3 F.4, Table F.4-1 | a record type not allowed under its parent (root-level types only in the root) |
/// | `private-record-uid` | error | PS3.3 F.3.2.2 | a PRIVATE record without Private Record UID (0004,1432) |
/// | `missing-type1-key` | error | PS3.3 F.5 (or the profile's key table) | a Type 1 key absent or empty |
/// | `missing-type2-key` | error | PS3.3 F.5 (or the profile's key table) | a Type 2 key absent |
/// | `missing-type1c-key` | error | PS3.3 F.5, PS3.11 | a Type 1C key absent or empty although its condition holds (checked against the referenced file, or for PATIENT/SERIES the files below them) |
/// | `missing-type2c-key` | error | PS3.3 F.5, PS3.11 | a Type 2C key absent although its condition holds |
/// | `instance-no-file` | error | PS3.3 F.3.2.2, F.5 | an instance record (IMAGE, SR DOCUMENT, HANGING PROTOCOL, ...) without Referenced File ID (0004,1500) |
/// | `missing-referenced-uid` | error | PS3.3 F.3.2.2 | (0004,1510)/(0004,1511)/(0004,1512) absent in a record that references a SOP instance, or (0004,151A) absent when the instance has (0008,001A) |
/// | `intermediate-references-file` | warning | PS3.3 F.2.2.1, PS3.10 Annex A | a PATIENT/STUDY/SERIES record that references a file |
/// | `empty-record` | warning | PS3.11 (common DICOMDIR clause) | a PATIENT/STUDY/SERIES record with no lower-level records |
/// | `file-id-nonconformant` | error | PS3.10 8.5 | a Referenced File ID with more than 8 components, components of 0 or more than 8 characters, or characters outside A-Z 0-9 _ |
/// | `file-id-outside-root` | error | PS3.10 8.2, PS3.3 F.2.1 | a File ID that would leave the File-set root ("..", "/", a link out); never read |
/// | `file-missing` | error | PS3.3 F.2.1 | the referenced file does not exist |
/// | `file-id-variant` | warning | PS3.10 8.5, PS3.12 | the file exists only under another spelling (case, ";1", trailing ".", ".dcm") |
/// | `file-unreadable` | error | PS3.10 7.1 | the referenced file cannot be read as DICOM |
/// | `file-no-meta` | error | PS3.10 7.1 | the referenced file has no File Meta Information (not a Part 10 file) |
/// | `file-meta-mismatch` | error | PS3.10 7.1 | the file's (0002,0002)/(0002,0003) differ from its own (0008,0016)/(0008,0018) |
/// | `file-referenced-twice` | error | PS3.3 F.2.1 (rule 4) | two records reference the same file |
/// | `sop-class-mismatch` | error | PS3.3 F.3.2.2 | (0004,1510) differs from the file's (0002,0002) (or (0008,0016)) |
/// | `sop-instance-mismatch` | error | PS3.3 F.3.2.2 | (0004,1511) differs from the file's (0002,0003) (or (0008,0018)) |
/// | `transfer-syntax-mismatch` | error | PS3.3 F.3.2.2 | (0004,1512) differs from the file's (0002,0010) |
/// | `patient-id-mismatch` | error | PS3.3 F.5.1, F.2.1 | the file's Patient ID differs from the enclosing PATIENT record's |
/// | `study-uid-mismatch` | error | PS3.3 F.5.2 | the file's Study Instance UID differs from the enclosing STUDY record's |
/// | `series-uid-mismatch` | error | PS3.3 F.5.3 | the file's Series Instance UID differs from the enclosing SERIES record's |
/// | `key-supplied` | info | PS3.11 D.3.3.1 (note) | the record has a Patient ID / Study / Series UID the file lacks (an FSC supplied it) |
/// | `duplicate-sop-instance` | error | PS3.3 F.2.1, F.3.2.2 | one SOP Instance UID in two records (or two files) |
/// | `duplicate-study` | error | PS3.3 F.5.2 (rule 7) | two STUDY records with one Study Instance UID |
/// | `duplicate-series` | error | PS3.3 F.5.3 (rule 8) | two SERIES records with one Series Instance UID |
/// | `duplicate-patient` | error | PS3.3 F.5.1 (rule 6), PS3.11 | two PATIENT records with one Patient ID |
/// | `patient-name-conflict` | warning | PS3.3 F.5.1 | one Patient ID with different Patient's Names (in records or files) |
/// | `unreferenced-file` | error | PS3.3 F.2.1 (rule 3), PS3.11 | a DICOM file in the File-set folder that no record references |
/// | `extra-dicomdir` | warning | PS3.10 8.6 | another Media Storage Directory file (a copy or variant of a DICOMDIR) in the File-set |
/// | `nested-fileset` | warning | PS3.12 6 (File-sets do not intersect) | a sub-folder holding its own DICOMDIR; its files are left to that File-set |
/// | `non-dicom-files` | info | PS3.10 8, PS3.3 F.2.1 (rule 5) | files that are not DICOM (README, INDEX.HTM, viewers): allowed, listed once |
/// | `fileset-id-invalid` | error | PS3.10 8.5, PS3.3 F.3.2.1 | File-set ID (0004,1130) longer than 16 or with characters outside A-Z 0-9 _ |
/// | `descriptor-file-id` | error | PS3.10 8.5 | File-set Descriptor File ID (0004,1141) is not a conformant File ID |
/// | `descriptor-missing` | warning | PS3.3 F.3.2.1 | the File-set descriptor file does not exist |
/// | `profile-sop-class` | error | PS3.11 (profile's SOP class table) | a SOP class the profile does not allow |
/// | `profile-transfer-syntax` | error | PS3.11 (profile's SOP class table) | a transfer syntax the profile does not allow for the class |
/// | `profile-image` | error | PS3.11 (Required Image Attribute Values) | an image attribute the profile constrains (bit depth, photometric, matrix, ...) |
/// | `icon-missing` | error | PS3.11 A.3.3, B.3.3 | the profile requires an Icon Image Sequence (0088,0200) in the record |
/// | `icon-format` | error | PS3.3 F.7 (and the profile's icon rule) | icon not 1 item / 1 sample / MONOCHROME1/2 or PALETTE COLOR / 8 (or 1) bits / unsigned / native pixels |
/// | `icon-size` | error | PS3.11 A.3.3, B.3.3, E.3.3.3 | icon Rows x Columns other than the profile's size |
public struct FileSetVerifier: Sendable {
    public let root: String
    public let fileSet: FileSet
    public let profile: ApplicationProfile?
    /// The DICOMDIR file the File-set was read from, when it is not `root/DICOMDIR` (e.g. a copy
    /// named DICOMDIR-implicit); it is not reported as an extra DICOMDIR.
    public let dicomdirPath: String?
    /// The files of a File-set that is not a folder (an image read in place); `root` then only
    /// names it in paths ("root/DICOM/..."), nothing is looked up in the file system.
    public let files: FileSetFiles?

    /// `root` is the folder holding the DICOMDIR; `profile` nil = structure and consistency only.
    /// Folder in the File-set root where dicom-media keeps the journal of a write in progress; its
    /// name is not a File ID, so it is outside the DICOM name space and not walked.
    public static let journalFolderName = ".dicom-media"

    public init(root: String, fileSet: FileSet, profile: ApplicationProfile?, dicomdirPath: String? = nil, files: FileSetFiles? = nil) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r.isEmpty ? "." : r
        self.fileSet = fileSet
        self.profile = profile
        self.dicomdirPath = dicomdirPath
        self.files = files
    }

    /// The bytes of a file named `root/relative`, through `files` when set.
    func readFile(_ path: String, prefix: Int? = nil, from files: FileSetFiles) throws -> [UInt8] {
        let rel = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
        if let prefix { return try files.readFilePrefix(rel, count: prefix) }
        return try files.readFile(rel)
    }

    /// A header-only read: through `files`, the first 256 KiB are tried before the whole file.
    func readHeader(_ path: String) throws -> DICOMFile {
        guard let files else { return try Part10Reader.read(path: path, options: .headerOnly) }
        let head = try readFile(path, prefix: 1 << 18, from: files)
        if head.count < 1 << 18 { return try Part10Reader.read(bytes: head, path: path, options: .headerOnly) }
        if let f = try? Part10Reader.read(bytes: head, path: path, options: .headerOnly) { return f }
        return try Part10Reader.read(bytes: try readFile(path, from: files), path: path, options: .headerOnly)
    }

    /// Runs every check; `progress(done, total)` is called from time to time (may be called from worker threads: make it @Sendable).
    public func verify(progress: (@Sendable (Int, Int) -> Void)? = nil) -> [FileSetProblem] {
        var pass = Pass(verifier: self)
        return pass.run(progress: progress)
    }
}

// MARK: - The pass

extension FileSetVerifier {
    /// Enclosing PATIENT / STUDY / SERIES records of a record, as node numbers and keys.
    struct Context {
        var patient: (node: Int, keys: DataSet)?
        var study: (node: Int, keys: DataSet)?
        var series: (node: Int, keys: DataSet)?
    }

    /// A record that references a file, with what the file must agree with.
    struct Reference: Sendable {
        var type: DirectoryRecordType
        var keys: DataSet
        var fileID: String
        var offset: Int?
        var patientKeys: DataSet?
        var studyKeys: DataSet?
        var seriesKeys: DataSet?
        /// Node numbers of the enclosing PATIENT / STUDY / SERIES records.
        var ancestors: [Int]
    }

    /// One file to read, with every record that references it.
    struct FileJob: Sendable {
        var path: String
        var refs: [Reference]
    }

    /// What reading a referenced file found.
    struct FileOutcome: Sendable {
        var problems: [FileSetProblem] = []
        var readable = false
        var sopInstanceUID: String?
        var patientID: String?
        var patientName: PersonName?
        /// Tags of parent-level 1C keys (`.ifAnyInstanceNonEmpty`) for which this file has a value.
        var nonEmptyAggregateTags: Set<Tag> = []
    }

    /// A file no record references.
    enum Sniff: Sendable {
        case notDICOM
        case dicom(sopClass: String?, sopInstance: String?)
        case dicomUnreadable(String)
    }

    enum Outcome: Sendable {
        case file(FileOutcome)
        case candidate(Sniff)
    }

    /// Parent-level 1C key waiting for the files below the record.
    struct PendingAggregate {
        var node: Int
        var type: DirectoryRecordType
        var rule: KeyRule
        var reference: String
        var offset: Int?
    }

    struct Pass {
        let v: FileSetVerifier
        let resolver: Medium
        var problems: [FileSetProblem]
        var jobs: [FileJob] = []
        var jobByPath: [String: Int] = [:]
        /// Real paths of every file a record (tree or orphan) references, plus the DICOMDIR and descriptor.
        var excluded: Set<String> = []
        var nodeCount = 0
        var pending: [PendingAggregate] = []
        var readerMisplaced: Set<Int>
        // Cross-record bookkeeping.
        var sopInstances: [String: [String]] = [:]
        var studies: [String: Int] = [:]
        var series: [String: Int] = [:]
        var patients: [String: Int] = [:]
        var patientNames: [String: [(name: PersonName, source: String)]] = [:]

        init(verifier: FileSetVerifier) {
            v = verifier
            resolver = Medium(root: verifier.root)
            if let files = verifier.files {
                let paths = (try? files.filePaths()) ?? []
                listed = (paths, FileListResolver(paths: paths))
            }
            // The reader's `root-record-type` is reported here as `record-misplaced` (with the other F.4 checks).
            problems = verifier.fileSet.problems.filter { $0.code != "root-record-type" }
            readerMisplaced = Set(verifier.fileSet.problems.filter { $0.code == "record-order-no-parent" }.compactMap(\.offset))
        }

        /// The medium's files when it is not a folder.
        var listed: (paths: [String], resolver: FileListResolver)?

        /// `resolver.resolve`, or the file list's lookup (paths prefixed with the root).
        func resolve(_ id: FileID) -> Medium.Match {
            guard let listed else { return resolver.resolve(id) }
            switch listed.resolver.resolve(id) {
            case .exact(let p): return .exact(v.root + "/" + p)
            case .variant(let p): return .variant(v.root + "/" + p)
            case let m: return m
            }
        }
        func path(_ id: FileID) -> String? {
            switch resolve(id) { case .exact(let p), .variant(let p): return p; default: return nil }
        }

        mutating func add(_ sev: Diagnostic.Severity, _ code: DiagnosticCode, _ message: String, fileID: String? = nil, rule: String, offset: Int? = nil) {
            problems.append(FileSetProblem(sev, code, message, fileID: fileID, rule: rule, offset: offset))
        }

        mutating func run(progress: (@Sendable (Int, Int) -> Void)?) -> [FileSetProblem] {
            checkFileSetIdentification()
            for rec in v.fileSet.records { walk(rec, parent: nil, context: Context()) }
            // Orphans are reported by the reader; their files still count as referenced, so that the
            // same damage is not reported twice as unreferenced files.
            // Files of inactive records (retired In-use Flag 0000H) were reported with the record by the
            // reader; they are not unreferenced either.
            for orphan in v.fileSet.orphans + v.fileSet.inactive {
                orphan.forEach { r, _ in
                    if let id = r.referencedFileID, let p = path(id) { excluded.insert(realPath(p) ?? p) }
                }
            }
            if let dir = v.dicomdirPath ?? path(FileID(["DICOMDIR"])) { excluded.insert(realPath(dir) ?? dir) }
            checkDuplicateRecords()

            // Files to look at: referenced files (read header-only) and unreferenced candidates (sniffed).
            var walkProblems: [FileSetProblem] = []
            let candidates = listCandidates(problems: &walkProblems)
            let outcomes = examineAll(candidates: candidates, progress: progress)

            var fileSOPInstances: [String: [String]] = [:]
            var aggregate: [Int: Set<Tag>] = [:]
            var instanceFileIDs: [String: String] = [:]
            for (i, job) in jobs.enumerated() {
                guard case .file(let out)? = outcomes[i] else { continue }
                problems += out.problems
                guard out.readable else { continue }
                let fid = job.refs.first?.fileID ?? job.path
                if let uid = out.sopInstanceUID, !uid.isEmpty {
                    fileSOPInstances[uid, default: []].append(fid)
                    instanceFileIDs[uid] = fid
                }
                if let pid = out.patientID, !pid.isEmpty, let name = out.patientName {
                    patientNames[pid, default: []].append((name, "file \(fid)"))
                }
                if !out.nonEmptyAggregateTags.isEmpty {
                    for ref in job.refs { for a in ref.ancestors { aggregate[a, default: []].formUnion(out.nonEmptyAggregateTags) } }
                }
            }
            for p in pending where aggregate[p.node]?.contains(p.rule.tag) == true {
                let code: DiagnosticCode = p.rule.type == .type1C ? "missing-type1c-key" : "missing-type2c-key"
                add(.error, code, "\(p.rule.name) is missing\(p.rule.type == .type1C ? " or empty" : "") in the \(p.type) record although an instance below it has a value (Type \(p.rule.type.label))",
                    rule: p.reference, offset: p.offset)
            }
            // The same SOP instance in two files (records that say so are reported already).
            for (uid, fids) in fileSOPInstances.sorted(by: { $0.key < $1.key }) where Set(fids).count > 1 && (sopInstances[uid]?.count ?? 0) < 2 {
                add(.error, "duplicate-sop-instance", "SOP Instance UID \(uid) is in \(fids.count) files: \(fids.joined(separator: ", "))",
                    fileID: fids[1], rule: "PS3.3 F.2.1, PS3.4 (one SOP Instance UID per instance)")
            }
            checkPatientNames()
            problems += walkProblems
            reportCandidates(candidates, outcomes: outcomes, offset: jobs.count, instanceFileIDs: instanceFileIDs)
            return problems
        }

        // MARK: File-set identification (PS3.3 F.3.2.1)

        mutating func checkFileSetIdentification() {
            let id = v.fileSet.fileSetID
            if id.utf8.count > 16 || id.unicodeScalars.contains(where: { !FileID.isAllowed($0) }) {
                add(.error, "fileset-id-invalid", "File-set ID (0004,1130) '\(id)' must be 0 to 16 characters from A-Z, 0-9 and _",
                    fileID: "DICOMDIR", rule: "PS3.10 8.5, PS3.3 F.3.2.1")
            }
            guard let desc = v.fileSet.descriptorFileID else { return }
            if let why = desc.nonConformance {
                add(.error, "descriptor-file-id", "File-set Descriptor File ID (0004,1141) '\(desc.components.joined(separator: "\\"))': \(why)",
                    fileID: desc.path, rule: "PS3.10 8.5")
            }
            switch resolve(desc) {
            case .exact(let p): excluded.insert(realPath(p) ?? p)
            case .variant(let p):
                excluded.insert(realPath(p) ?? p)
                add(.warning, "file-id-variant", "the File-set descriptor file exists only as \(relative(p))", fileID: desc.path, rule: "PS3.10 8.5, PS3.12")
            case .missing:
                add(.warning, "descriptor-missing", "the File-set descriptor file named by (0004,1141) does not exist", fileID: desc.path, rule: "PS3.3 F.3.2.1")
            case .outsideRoot:
                add(.error, "file-id-outside-root", "File-set Descriptor File ID leaves the File-set root; not followed", fileID: desc.path, rule: "PS3.10 8.2")
            }
        }

        func relative(_ path: String) -> String {
            path.hasPrefix(v.root + "/") ? String(path.dropFirst(v.root.count + 1)) : path
        }

        // MARK: Records (static checks)

        static func isInstanceType(_ t: DirectoryRecordType) -> Bool {
            DirectoryRecordType.instanceLevel.contains(t) || (DirectoryRecordType.rootLevel.contains(t) && t != .patient && t != .private)
        }

        mutating func walk(_ rec: DirectoryRecord, parent: DirectoryRecordType?, context: Context) {
            let node = nodeCount
            nodeCount += 1
            var ctx = context
            checkRecord(rec, parent: parent, context: ctx, node: node)
            switch rec.type {
            case .patient: ctx.patient = (node, rec.keys); ctx.study = nil; ctx.series = nil
            case .study: ctx.study = (node, rec.keys); ctx.series = nil
            case .series: ctx.series = (node, rec.keys)
            default: break
            }
            for c in rec.children { walk(c, parent: rec.type, context: ctx) }
        }

        mutating func checkRecord(_ rec: DirectoryRecord, parent: DirectoryRecordType?, context: Context, node: Int) {
            let type = rec.type
            let offset = rec.offset >= 0 ? rec.offset : nil
            let fileID = rec.referencedFileID?.path
            let where_ = parent.map { "under a \($0) record" } ?? "in the root directory entity"

            // Record type (PS3.3 F.3.2.2) and placement (Table F.4-1).
            if type.rawValue.isEmpty {
                add(.error, "record-type-missing", "a record has no Directory Record Type (0004,1430)", fileID: fileID, rule: "PS3.3 F.3.2.2", offset: offset)
                return
            }
            if DirectoryRecordType.retired.contains(type) {
                add(.warning, "record-type-retired", "record type \(type) is retired; readers may ignore it", fileID: fileID, rule: "PS3.3 F.3.2.2 (retired)", offset: offset)
            } else if !type.isStandard {
                add(.warning, "record-type-unknown", "record type '\(type)' is not defined by PS3.3 as known here; ignored", fileID: fileID, rule: "PS3.3 F.3.2.2, PS3.2 7.3", offset: offset)
            }
            if type.isStandard && !(offset.map(readerMisplaced.contains) ?? false) {
                let allowed: Set<DirectoryRecordType>?
                if let p = parent { allowed = p.isStandard ? p.allowedChildren : nil } else { allowed = DirectoryRecordType.rootLevel }
                if let allowed, !allowed.contains(type) {
                    add(.error, "record-misplaced", "a \(type) record is not allowed \(where_)", fileID: fileID, rule: "PS3.3 F.4, Table F.4-1", offset: offset)
                }
            }
            if type == .private, !Self.hasValue(rec.keys[.privateRecordUIDTag]) {
                add(.error, "private-record-uid", "PRIVATE record without Private Record UID (0004,1432)", fileID: fileID, rule: "PS3.3 F.3.2.2, F.6", offset: offset)
            }

            // Keys known without the file: Type 1 / 2, and 1C / 2C without a file condition.
            var reported = Set<Tag>()
            for (rule, reference) in v.rules(for: type) where rule.tag != .iconImageSequence && !reported.contains(rule.tag) {
                let e = rec.keys[rule.tag]
                switch (rule.type, rule.condition) {
                case (.type1, _), (.type1C, .always):
                    if !Self.hasValue(e) {
                        reported.insert(rule.tag)
                        let code: DiagnosticCode = rule.type == .type1 ? "missing-type1-key" : "missing-type1c-key"
                        add(.error, code, "\(rule.name) is \(e == nil ? "missing" : "empty") in the \(type) record (Type \(rule.type.label))", fileID: fileID, rule: reference, offset: offset)
                    }
                case (.type2, _), (.type2C, .always):
                    if e == nil {
                        reported.insert(rule.tag)
                        let code: DiagnosticCode = rule.type == .type2 ? "missing-type2-key" : "missing-type2c-key"
                        add(.error, code, "\(rule.name) is missing in the \(type) record (Type \(rule.type.label): present, may be empty)", fileID: fileID, rule: reference, offset: offset)
                    }
                case (.type1C, .ifAnyInstanceNonEmpty), (.type2C, .ifAnyInstanceNonEmpty):
                    if !Self.isInstanceType(type) {
                        let satisfied = rule.type == .type1C ? Self.hasValue(e) : e != nil
                        if !satisfied { pending.append(PendingAggregate(node: node, type: type, rule: rule, reference: reference, offset: offset)) }
                    }
                default:
                    break  // conditions on the instance: checked when its file is read
                }
            }

            // Icons (PS3.3 F.7; PS3.11 A.3.3, B.3.3, E.3.3.3).
            checkIcon(rec, offset: offset)

            // File references (PS3.3 F.3.2.2).
            let isInstance = Self.isInstanceType(type)
            if isInstance {
                if rec.referencedFileID == nil {
                    add(.error, "instance-no-file", "\(type) record has no Referenced File ID (0004,1500)", rule: "PS3.3 F.3.2.2, \(RecordPolicy.section(for: type))", offset: offset)
                } else {
                    let missing = Self.missingReferencedUIDs(rec.keys)
                    if !missing.isEmpty {
                        add(.error, "missing-referenced-uid", "\(type) record references a SOP instance but lacks \(missing.joined(separator: ", "))", fileID: fileID, rule: "PS3.3 F.3.2.2", offset: offset)
                    }
                }
            } else if [.patient, .study, .series].contains(type) {
                if rec.referencedFileID != nil {
                    add(.warning, "intermediate-references-file", "\(type) record references a file; only instance records normally do", fileID: fileID, rule: "PS3.3 F.2.2.1, PS3.10 Annex A", offset: offset)
                }
                if rec.children.isEmpty {
                    add(.warning, "empty-record", "\(type) record has no lower-level records", fileID: fileID, rule: "PS3.11 (DICOMDIR: empty directories not allowed)", offset: offset)
                }
            }

            // Cross-record bookkeeping (F.5 rules 6-8, F.2.1 rule 4).
            if let uid = rec.referencedSOPInstanceUID, !uid.isEmpty { sopInstances[uid, default: []].append(fileID ?? "record at offset \(rec.offset)") }
            switch type {
            case .patient:
                if let pid = rec.keys.string(.patientID), !pid.isEmpty {
                    patients[pid, default: 0] += 1
                    if let name = rec.keys.personNames(.patientName)?.first { patientNames[pid, default: []].append((name, "PATIENT record")) }
                }
            case .study: if let uid = rec.keys.string(.studyInstanceUID), !uid.isEmpty { studies[uid, default: 0] += 1 }
            case .series: if let uid = rec.keys.string(.seriesInstanceUID), !uid.isEmpty { series[uid, default: 0] += 1 }
            default: break
            }

            guard let id = rec.referencedFileID else { return }
            addReference(rec, id: id, context: context, offset: offset)
        }

        static func missingReferencedUIDs(_ keys: DataSet) -> [String] {
            [(Tag.referencedSOPClassUIDInFileTag, "Referenced SOP Class UID in File (0004,1510)"),
             (.referencedSOPInstanceUIDInFileTag, "Referenced SOP Instance UID in File (0004,1511)"),
             (.referencedTransferSyntaxUIDInFileTag, "Referenced Transfer Syntax UID in File (0004,1512)")]
                .filter { !hasValue(keys[$0.0]) }.map(\.1)
        }

        mutating func addReference(_ rec: DirectoryRecord, id: FileID, context: Context, offset: Int?) {
            let fid = id.path
            let resolved: String
            switch resolve(id) {
            case .outsideRoot:
                add(.error, "file-id-outside-root", "Referenced File ID leaves the File-set root; not followed", fileID: id.components.joined(separator: "\\"), rule: "PS3.10 8.2, PS3.3 F.2.1", offset: offset)
                return
            case .missing:
                if let why = id.nonConformance { add(.error, "file-id-nonconformant", why, fileID: fid, rule: "PS3.10 8.5", offset: offset) }
                add(.error, "file-missing", "the \(rec.type) record references a file that does not exist", fileID: fid, rule: "PS3.3 F.2.1", offset: offset)
                return
            case .exact(let p):
                if let why = id.nonConformance { add(.error, "file-id-nonconformant", why, fileID: fid, rule: "PS3.10 8.5", offset: offset) }
                resolved = p
            case .variant(let p):
                if let why = id.nonConformance { add(.error, "file-id-nonconformant", why, fileID: fid, rule: "PS3.10 8.5", offset: offset) }
                add(.warning, "file-id-variant", "file found only as \(relative(p)) (case or suffix differs from the File ID)", fileID: fid, rule: "PS3.10 8.5, PS3.12", offset: offset)
                resolved = p
            }
            let real = realPath(resolved) ?? resolved
            excluded.insert(real)
            let ref = Reference(type: rec.type, keys: rec.keys, fileID: fid, offset: offset,
                                patientKeys: context.patient?.keys, studyKeys: context.study?.keys, seriesKeys: context.series?.keys,
                                ancestors: [context.patient?.node, context.study?.node, context.series?.node].compactMap { $0 })
            if let j = jobByPath[real] {
                let first = jobs[j].refs.first?.fileID ?? fid
                add(.error, "file-referenced-twice", "the file is referenced by more than one record (also as \(first))", fileID: fid, rule: "PS3.3 F.2.1 (a file is referenced by at most one record)", offset: offset)
                jobs[j].refs.append(ref)
            } else {
                jobByPath[real] = jobs.count
                jobs.append(FileJob(path: resolved, refs: [ref]))
            }
        }

        // MARK: Icons

        mutating func checkIcon(_ rec: DirectoryRecord, offset: Int?) {
            let type = rec.type
            let fileID = rec.referencedFileID?.path
            let iconRule = v.profile?.icons
            let ruleText = iconRule?.reference ?? "PS3.3 F.7"
            let requiredByKeys = v.rules(for: type).contains { $0.rule.tag == .iconImageSequence && $0.rule.type == .type1 }
            let required = requiredByKeys || (iconRule.map { $0.required && $0.recordTypes.contains(type) } ?? false)
            guard let e = rec.keys[.iconImageSequence] else {
                if required {
                    let size = iconRule.map { "a \($0.size)x\($0.size) icon" } ?? "an icon"
                    add(.error, "icon-missing", "\(v.profile?.id ?? "the profile") requires \(size) (Icon Image Sequence (0088,0200)) in every \(type) record", fileID: fileID, rule: ruleText, offset: offset)
                }
                return
            }
            guard let items = e.items, items.count == 1 else {
                add(.error, "icon-format", "Icon Image Sequence (0088,0200) must hold exactly one item (it has \(e.items?.count ?? 0))", fileID: fileID, rule: "PS3.3 F.7", offset: offset)
                return
            }
            if let why = Self.iconFormatProblem(items[0], rule: iconRule) {
                add(.error, "icon-format", "icon: \(why)", fileID: fileID, rule: iconRule == nil ? "PS3.3 F.7" : "PS3.3 F.7, \(ruleText)", offset: offset)
            }
            if let r = iconRule {
                let rows = items[0].integer(.rows), cols = items[0].integer(.columns)
                if rows != r.size || cols != r.size {
                    add(.error, "icon-size", "icon is \(cols.map(String.init) ?? "?")x\(rows.map(String.init) ?? "?"); \(v.profile?.id ?? "the profile") requires \(r.size)x\(r.size)", fileID: fileID, rule: ruleText, offset: offset)
                }
            }
        }

        /// Why an icon item breaks PS3.3 F.7 (and the profile's photometric list), or nil.
        static func iconFormatProblem(_ item: DataSet, rule: IconRule?) -> String? {
            let pi = item.string(.photometricInterpretation) ?? ""
            let allowedPI = rule?.photometricInterpretations ?? IconRule.f7Photometric
            if item.integer(.samplesPerPixel) != 1 { return "Samples per Pixel (0028,0002) must be 1 (it is \(item.integer(.samplesPerPixel).map(String.init) ?? "absent"))" }
            if !allowedPI.contains(pi) { return "Photometric Interpretation (0028,0004) '\(pi)' is not \(ProfileConstraint.list(allowedPI.sorted()))" }
            if item[.planarConfiguration] != nil { return "Planar Configuration (0028,0006) must be absent" }
            let ba = item.integer(.bitsAllocated), bs = item.integer(.bitsStored)
            let bits: Set<Int> = pi == "PALETTE COLOR" || rule != nil ? [8] : [1, 8]
            guard let ba, let bs, bits.contains(ba), bs == ba else {
                return "Bits Allocated/Stored (0028,0100)/(0028,0101) are \(ba.map(String.init) ?? "absent")/\(bs.map(String.init) ?? "absent"); \(bits.sorted().map { "\($0)/\($0)" }.joined(separator: " or ")) required"
            }
            if let hb = item.integer(.highBit), hb != bs - 1 { return "High Bit (0028,0102) is \(hb), not Bits Stored - 1 = \(bs - 1)" }
            if item.integer(.pixelRepresentation) != 0 { return "Pixel Representation (0028,0103) must be 0 (unsigned)" }
            if item.integer(.rows) == nil || item.integer(.columns) == nil { return "Rows/Columns (0028,0010)/(0028,0011) are missing" }
            guard let px = item[.pixelData] else { return "Pixel Data (7FE0,0010) is missing" }
            if px.bytes == nil { return "Pixel Data (7FE0,0010) must be native (uncompressed) in a DICOMDIR" }
            return nil
        }

        // MARK: Cross-record checks (PS3.3 F.5 rules 6-8, F.2.1)

        mutating func checkDuplicateRecords() {
            for (uid, fids) in sopInstances.sorted(by: { $0.key < $1.key }) where fids.count > 1 {
                add(.error, "duplicate-sop-instance", "SOP Instance UID \(uid) is referenced by \(fids.count) records (\(fids.joined(separator: ", ")))",
                    fileID: fids[1], rule: "PS3.3 F.2.1, F.3.2.2 ((0004,1511) identifies one instance)")
            }
            for (uid, n) in studies.sorted(by: { $0.key < $1.key }) where n > 1 {
                add(.error, "duplicate-study", "\(n) STUDY records have Study Instance UID \(uid); one STUDY record per study", rule: "PS3.3 F.5.2 (F.2.1 / digest §1.7 rule 7)")
            }
            for (uid, n) in series.sorted(by: { $0.key < $1.key }) where n > 1 {
                add(.error, "duplicate-series", "\(n) SERIES records have Series Instance UID \(uid); one SERIES record per series", rule: "PS3.3 F.5.3 (digest §1.7 rule 8)")
            }
            for (pid, n) in patients.sorted(by: { $0.key < $1.key }) where n > 1 {
                add(.error, "duplicate-patient", "\(n) PATIENT records have Patient ID '\(pid)'; Patient ID is unique per PATIENT record", rule: "PS3.3 F.5.1, PS3.11 (digest §1.7 rule 6)")
            }
        }

        mutating func checkPatientNames() {
            for (pid, names) in patientNames.sorted(by: { $0.key < $1.key }) {
                var distinct: [(name: PersonName, source: String)] = []
                for n in names where !Self.isEmptyName(n.name) && !distinct.contains(where: { Self.sameName($0.name, n.name) }) { distinct.append(n) }
                if distinct.count > 1 {
                    let list = distinct.prefix(4).map { "'\($0.name)' (\($0.source))" }.joined(separator: ", ")
                    add(.warning, "patient-name-conflict", "Patient ID '\(pid)' has \(distinct.count) different Patient's Names: \(list)", rule: "PS3.3 F.5.1")
                }
            }
        }

        static func normalisedGroups(_ n: PersonName) -> [String] {
            [n.alphabetic, n.ideographic, n.phonetic].map { g in
                var s = Substring(g)
                while let l = s.last, l == "^" || l == " " { s = s.dropLast() }
                return String(s)
            }
        }
        static func isEmptyName(_ n: PersonName) -> Bool { normalisedGroups(n).allSatisfy(\.isEmpty) }
        /// Names agree when every component group both have is equal (a record may carry fewer groups).
        static func sameName(_ a: PersonName, _ b: PersonName) -> Bool {
            zip(normalisedGroups(a), normalisedGroups(b)).allSatisfy { $0.isEmpty || $1.isEmpty || $0 == $1 }
        }

        static func hasValue(_ e: DataElement?) -> Bool {
            guard let e else { return false }
            switch e.value {
            case .bytes(let b): return b.contains { $0 != 0x20 && $0 != 0x00 }
            case .sequence(let items): return !items.isEmpty
            case .fragments: return true
            }
        }

        // MARK: The folder walk (PS3.3 F.2.1 rules 3 and 5)

        /// Regular files under the root that no record references, minus the DICOMDIR and the
        /// descriptor; sub-folders holding their own DICOMDIR are another File-set and are skipped.
        func listCandidates(problems: inout [FileSetProblem]) -> [String] {
            var out: [String] = []
            var visited = Set<String>()
            func isDICOMDIRName(_ n: String) -> Bool { Medium.normalise(n, file: false) == "DICOMDIR" }
            if let listed {
                // A medium read in place: the same rules over its file list.
                var nested = Set<String>()
                for p in listed.paths {
                    let comps = p.split(separator: "/").map(String.init)
                    if comps.count > 1, isDICOMDIRName(comps.last!) { nested.insert(comps.dropLast().joined(separator: "/")) }
                }
                for n in nested.sorted() where !nested.contains(where: { n.hasPrefix($0 + "/") }) {
                    problems.append(FileSetProblem(.warning, "nested-fileset", "folder \(n) holds its own DICOMDIR: its files belong to another File-set and are not checked here",
                                                   fileID: n, rule: "PS3.12 6 (File-sets do not intersect), PS3.10 8.6"))
                }
                for p in listed.paths {
                    if p.hasPrefix(FileSetVerifier.journalFolderName + "/") || nested.contains(where: { p.hasPrefix($0 + "/") }) { continue }
                    let full = v.root + "/" + p
                    if !excluded.contains(full) { out.append(full) }
                }
                return out.sorted()
            }
            func visit(_ dir: String, depth: Int) {
                guard depth <= 32 else { return }
                if let real = realPath(dir) { guard visited.insert(real).inserted else { return } }
                // The journal folder of an interrupted write is not part of the File-set (MediaKit reports it).
                let names = resolver.listing(dir).filter { $0 != "." && $0 != ".." && !(depth == 0 && $0 == FileSetVerifier.journalFolderName) }
                if depth > 0, names.contains(where: { isDICOMDIRName($0) && isRegularFile(dir + "/" + $0) }) {
                    problems.append(FileSetProblem(.warning, "nested-fileset", "folder \(relative(dir)) holds its own DICOMDIR: its files belong to another File-set and are not checked here",
                                                   fileID: relative(dir), rule: "PS3.12 6 (File-sets do not intersect), PS3.10 8.6"))
                    return
                }
                for n in names {
                    let p = dir + "/" + n
                    var st = stat()
                    guard lstat(p, &st) == 0 else { continue }
                    let kind = st.st_mode & S_IFMT
                    if kind == S_IFDIR { visit(p, depth: depth + 1); continue }
                    if kind == S_IFLNK {
                        // One rule for links (the guarded medium): inside the root followed, out of it or looping skipped and listed.
                        guard let target = resolver.resolveInside(p) else {
                            if resolver.leavesRoot(p) {
                                problems.append(FileSetProblem(.error, "symlink-outside-root", "symbolic link out of the File-set root; not followed", fileID: relative(p), rule: "PS3.10 8.2"))
                            } else {
                                problems.append(FileSetProblem(.error, "symlink-skipped", "symbolic link to nothing or a loop; not followed", fileID: relative(p), rule: "PS3.10 8.2"))
                            }
                            continue
                        }
                        if isDirectory(target) {
                            if visited.contains(target) {
                                problems.append(FileSetProblem(.error, "symlink-skipped", "symbolic link to a folder already walked (a loop); not followed", fileID: relative(p), rule: "PS3.10 8.2"))
                            } else { visit(p, depth: depth + 1) }
                            continue
                        }
                        guard isRegularFile(p) else { continue }
                    } else if kind != S_IFREG { continue }
                    if excluded.contains(realPath(p) ?? p) { continue }
                    out.append(p)
                }
            }
            visit(v.root, depth: 0)
            return out.sorted()
        }

        mutating func reportCandidates(_ candidates: [String], outcomes: [Outcome?], offset: Int, instanceFileIDs: [String: String]) {
            var nonDICOM: [String] = []
            for (i, path) in candidates.enumerated() {
                let rel = relative(path)
                guard case .candidate(let sniff)? = outcomes[offset + i] else { continue }
                switch sniff {
                case .notDICOM:
                    nonDICOM.append(rel)
                case .dicom(let sop, let inst):
                    if sop == UID.mediaStorageDirectoryStorage {
                        add(.warning, "extra-dicomdir", "another DICOMDIR (Media Storage Directory Storage file) beside the one verified; a File-set has exactly one",
                            fileID: rel, rule: "PS3.10 8.6 (one DICOMDIR per File-set)")
                    } else {
                        var msg = "DICOM file that no directory record references"
                        if let inst, let other = instanceFileIDs[inst] { msg += " (same SOP Instance UID as \(other): a copy?)" }
                        add(.error, "unreferenced-file", msg, fileID: rel, rule: "PS3.3 F.2.1 (every DICOM file of the File-set is referenced)")
                    }
                case .dicomUnreadable(let why):
                    add(.error, "unreferenced-file", "file with the DICM prefix that no directory record references (and it cannot be read: \(why))",
                        fileID: rel, rule: "PS3.3 F.2.1 (every DICOM file of the File-set is referenced)")
                }
            }
            if !nonDICOM.isEmpty {
                let shown = nonDICOM.prefix(8).joined(separator: ", ") + (nonDICOM.count > 8 ? ", ..." : "")
                add(.info, "non-dicom-files", "\(nonDICOM.count) file(s) that are not DICOM (allowed, not referenced): \(shown)", rule: "PS3.10 8, PS3.3 F.2.1 (rule 5)")
            }
        }

        // MARK: Reading files in parallel

        /// Reads every referenced file header-only and sniffs every candidate, on all cores; only
        /// small summaries are kept, so memory does not grow with the File-set.
        func examineAll(candidates: [String], progress: (@Sendable (Int, Int) -> Void)?) -> [Outcome?] {
            let jobs = self.jobs
            let verifier = v
            let aggregateRules = Self.aggregateRules(verifier)
            let total = jobs.count + candidates.count
            var outcomes = [Outcome?](repeating: nil, count: total)
            progress?(0, total)
            guard total > 0 else { return outcomes }
            let counter = ProgressCounter(total: total, progress: progress)
            outcomes.withUnsafeMutableBufferPointer { buf in
                let out = buf
                DispatchQueue.concurrentPerform(iterations: total) { i in
                    if i < jobs.count {
                        out[i] = .file(examine(jobs[i], verifier: verifier, aggregateRules: aggregateRules))
                    } else {
                        out[i] = .candidate(FileSetVerifier.sniff(candidates[i - jobs.count], verifier: verifier))
                    }
                    counter.step()
                }
            }
            return outcomes
        }

        /// Parent-level 1C keys whose condition is "any instance below has a value", one per tag.
        static func aggregateRules(_ v: FileSetVerifier) -> [KeyRule] {
            var seen = Set<Tag>()
            var out: [KeyRule] = []
            for t in [DirectoryRecordType.patient, .study, .series] {
                for (rule, _) in v.rules(for: t) where rule.condition == .ifAnyInstanceNonEmpty && seen.insert(rule.tag).inserted { out.append(rule) }
            }
            return out
        }
    }

    /// Annex F keys of a record type, the profile's extra keys first (they may raise a type, PS3.3 F.5 / PS3.11).
    func rules(for type: DirectoryRecordType) -> [(rule: KeyRule, reference: String)] {
        var out: [(KeyRule, String)] = []
        if let p = profile {
            let ref = p.keysRule.isEmpty ? "PS3.11 \(p.id)" : "\(p.id), \(p.keysRule)"
            out += p.extraKeys(for: type).map { ($0, ref) }
        }
        let section = RecordPolicy.section(for: type)
        out += RecordPolicy.keys(for: type).map { ($0, section) }
        return out
    }
}

/// Counts finished files and calls the progress handler about 200 times in all.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    let total: Int
    let every: Int
    let progress: (@Sendable (Int, Int) -> Void)?

    init(total: Int, progress: (@Sendable (Int, Int) -> Void)?) {
        self.total = total; self.progress = progress; every = max(1, total / 200)
    }

    func step() {
        guard let progress else { return }
        lock.lock()
        done += 1
        let d = done
        lock.unlock()
        if d % every == 0 || d == total { progress(d, total) }
    }
}

// MARK: - One referenced file

extension FileSetVerifier {
    /// Reads one referenced file header-only and compares it with every record that references it.
    static func examine(_ job: FileJob, verifier v: FileSetVerifier, aggregateRules: [KeyRule]) -> FileOutcome {
        var out = FileOutcome()
        let first = job.refs.first
        func add(_ sev: Diagnostic.Severity, _ code: DiagnosticCode, _ msg: String, _ ref: Reference?, rule: String) {
            out.problems.append(FileSetProblem(sev, code, msg, fileID: ref?.fileID ?? first?.fileID, rule: rule, offset: ref?.offset))
        }
        let file: DICOMFile
        do {
            file = try v.readHeader(job.path)
        } catch let e as DICOMParseError {
            add(.error, "file-unreadable", "the referenced file cannot be read as DICOM: \(e.offset.map { "offset \($0): " } ?? "")\(e.message)", first, rule: "PS3.10 7.1")
            return out
        } catch {
            add(.error, "file-unreadable", "the referenced file cannot be read: \(error)", first, rule: "PS3.10 7.1")
            return out
        }
        out.readable = true
        // Complete instance (PS3.10 §7): every length inside the file, Pixel Data whole; bulk data is skipped, not read.
        do {
            if let files = v.files { try Completeness.check(bytes: try v.readFile(job.path, from: files), path: job.path) } else { try Completeness.check(path: job.path) }
        } catch let e as DICOMParseError {
            let code: DiagnosticCode = e.code == .incomplete ? "file-incomplete" : e.code == .impossible ? "file-impossible-image" : "file-unreadable"
            add(.error, code, "the referenced file is not a complete instance: \(e.located)", first, rule: "PS3.10 7.1")
        } catch {
            add(.error, "file-unreadable", "the referenced file cannot be read: \(error)", first, rule: "PS3.10 7.1")
        }
        let meta = file.fileMeta, ds = file.dataSet
        func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        let metaClass = nonEmpty(meta.string(.mediaStorageSOPClassUID)), dsClass = nonEmpty(ds.string(.sopClassUID))
        let metaInstance = nonEmpty(meta.string(.mediaStorageSOPInstanceUID)), dsInstance = nonEmpty(ds.string(.sopInstanceUID))
        let metaSyntax = nonEmpty(meta.string(.transferSyntaxUID))
        if meta.isEmpty {
            add(.error, "file-no-meta", "the referenced file has no File Meta Information (preamble, DICM, group 0002): not a PS3.10 file", first, rule: "PS3.10 7.1")
        }
        if let m = metaClass, let d = dsClass, m != d {
            add(.error, "file-meta-mismatch", "Media Storage SOP Class UID (0002,0002) \(m) differs from SOP Class UID (0008,0016) \(d) in the same file", first, rule: "PS3.10 7.1")
        }
        if let m = metaInstance, let d = dsInstance, m != d {
            add(.error, "file-meta-mismatch", "Media Storage SOP Instance UID (0002,0003) \(m) differs from SOP Instance UID (0008,0018) \(d) in the same file", first, rule: "PS3.10 7.1")
        }
        let sopClass = metaClass ?? dsClass
        let sopInstance = metaInstance ?? dsInstance
        let syntax = metaSyntax ?? file.transferSyntax.uid
        let isSOPInstance = sopClass != nil && sopInstance != nil
        out.sopInstanceUID = dsInstance ?? metaInstance
        out.patientID = ds.string(.patientID)
        out.patientName = ds.personNames(.patientName)?.first
        for rule in aggregateRules where Pass.hasValue(value(of: rule, in: ds)) { out.nonEmptyAggregateTags.insert(rule.tag) }

        func compare(_ keys: DataSet?, _ tag: Tag, _ level: String, _ name: String, _ code: DiagnosticCode, _ rule: String, _ ref: Reference) {
            guard let keys, let rv = nonEmpty(keys.string(tag)) else { return }
            guard let fv = nonEmpty(ds.string(tag)) else {
                add(.info, "key-supplied", "the \(level) record's \(name) '\(rv)' is not in the file, which has none: supplied by the File-set Creator", ref, rule: "PS3.11 D.3.3.1 (note)")
                return
            }
            if rv != fv {
                add(.error, code, "the file's \(name) is '\(fv)' but the enclosing \(level) record's is '\(rv)'", ref, rule: rule)
            }
        }

        for ref in job.refs {
            let rk = ref.keys
            // (0004,1510) / (0004,1511) / (0004,1512) against the file (PS3.3 F.3.2.2).
            // When the file disagrees with itself (file-meta-mismatch) a record matching either value is not blamed.
            if let rc = nonEmpty(rk.string(.referencedSOPClassUIDInFileTag)), let fc = sopClass, rc != metaClass && rc != dsClass {
                let src = metaClass != nil ? "(0002,0002)" : "(0008,0016)"
                add(.error, "sop-class-mismatch", "Referenced SOP Class UID in File (0004,1510) is \(rc) but the file's \(src) is \(fc)", ref, rule: "PS3.3 F.3.2.2")
            }
            if let ri = nonEmpty(rk.string(.referencedSOPInstanceUIDInFileTag)), let fi = sopInstance, ri != metaInstance && ri != dsInstance {
                let src = metaInstance != nil ? "(0002,0003)" : "(0008,0018)"
                add(.error, "sop-instance-mismatch", "Referenced SOP Instance UID in File (0004,1511) is \(ri) but the file's \(src) is \(fi)", ref, rule: "PS3.3 F.3.2.2")
            }
            if let rt = nonEmpty(rk.string(.referencedTransferSyntaxUIDInFileTag)), let ft = metaSyntax, rt != ft {
                add(.error, "transfer-syntax-mismatch", "Referenced Transfer Syntax UID in File (0004,1512) is \(rt) but the file's (0002,0010) is \(ft)", ref, rule: "PS3.3 F.3.2.2")
            }
            if !Pass.isInstanceType(ref.type) && isSOPInstance {
                let missing = Pass.missingReferencedUIDs(rk)
                if !missing.isEmpty {
                    add(.error, "missing-referenced-uid", "\(ref.type) record references a SOP instance but lacks \(missing.joined(separator: ", "))", ref, rule: "PS3.3 F.3.2.2")
                }
            }
            if Pass.hasValue(ds[.relatedGeneralSOPClassUID]) && !Pass.hasValue(rk[.referencedRelatedGeneralSOPClassUIDInFileTag]) {
                add(.error, "missing-referenced-uid", "the instance has Related General SOP Class UID (0008,001A) but the record lacks Referenced Related General SOP Class UID in File (0004,151A)", ref, rule: "PS3.3 F.3.2.2")
            }

            // The enclosing PATIENT / STUDY / SERIES records (PS3.3 F.5.1-F.5.3).
            if Pass.isInstanceType(ref.type) {
                compare(ref.patientKeys, .patientID, "PATIENT", "Patient ID (0010,0020)", "patient-id-mismatch", "PS3.3 F.5.1", ref)
                compare(ref.studyKeys, .studyInstanceUID, "STUDY", "Study Instance UID (0020,000D)", "study-uid-mismatch", "PS3.3 F.5.2", ref)
                compare(ref.seriesKeys, .seriesInstanceUID, "SERIES", "Series Instance UID (0020,000E)", "series-uid-mismatch", "PS3.3 F.5.3", ref)
            }

            // 1C / 2C keys whose condition is on the instance.
            var reported = Set<Tag>()
            for (rule, reference) in v.rules(for: ref.type) where rule.tag != .iconImageSequence && !reported.contains(rule.tag) {
                guard rule.type == .type1C || rule.type == .type2C, rule.condition != .always else { continue }
                if rule.condition == .ifAnyInstanceNonEmpty && !Pass.isInstanceType(ref.type) { continue }
                let value = value(of: rule, in: ds)
                let holds: Bool
                switch rule.condition {
                case .always: holds = true
                case .ifPresent: holds = rule.type == .type1C ? Pass.hasValue(value) : value != nil
                case .ifPresentNonEmpty, .ifAnyInstanceNonEmpty: holds = Pass.hasValue(value)
                case .ifSOPClass(let classes): holds = sopClass.map(classes.contains) ?? false
                case .ifValue(let tag, let index, let values):
                    if let vals = ds.strings(tag), index < vals.count { holds = values.contains(vals[index]) } else { holds = false }
                }
                guard holds else { continue }
                let e = rk[rule.tag]
                let ok = rule.type == .type1C ? Pass.hasValue(e) : e != nil
                if !ok {
                    reported.insert(rule.tag)
                    let code: DiagnosticCode = rule.type == .type1C ? "missing-type1c-key" : "missing-type2c-key"
                    add(.error, code, "\(rule.name) is \(e == nil ? "missing" : "empty") in the \(ref.type) record; it is Type \(rule.type.label) and its condition holds for the referenced instance", ref, rule: reference)
                }
            }
        }

        // The profile's SOP classes, transfer syntaxes and image constraints (PS3.11).
        if let p = v.profile, let sop = sopClass, isSOPInstance {
            let ref = first
            if let allowed = p.sopClasses, !allowed.contains(sop) {
                add(.error, "profile-sop-class", "\(p.id) does not allow \(DataDictionary.uidName(sop) ?? sop) (\(sop))", ref, rule: p.transferSyntaxRule)
            } else if !p.transferSyntaxes(for: sop).contains(syntax) {
                let allowed = p.transferSyntaxes(for: sop).map { TransferSyntax(uid: $0).name }.joined(separator: ", ")
                add(.error, "profile-transfer-syntax", "\(p.id) allows \(allowed) for \(DataDictionary.uidName(sop) ?? sop); the file is \(TransferSyntax(uid: syntax).name) (\(syntax))", ref, rule: p.transferSyntaxRule)
            } else if let why = p.violation(sopClassUID: sop, transferSyntaxUID: syntax, header: ds) {
                add(.error, "profile-image", why, ref, rule: p.transferSyntaxRule)
            }
        }
        return out
    }

    /// The instance value a key is copied from (PS3.11 Table H.3-2 for the functional groups).
    static func value(of rule: KeyRule, in header: DataSet) -> DataElement? { rule.sourceValue(in: header) }

    /// Whether an unreferenced file is DICOM: the DICM prefix at offset 128, or a data set that
    /// reads as one and names a SOP class (PS3.10 7.1).
    static func sniff(_ path: String, verifier v: FileSetVerifier) -> Sniff {
        if let files = v.files {
            guard let head = try? v.readFile(path, prefix: 132, from: files) else { return .notDICOM }
            return sniffed(path, head: head, verifier: v)
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .notDICOM }
        var head = [UInt8](repeating: 0, count: 132)
        var got = 0
        head.withUnsafeMutableBytes { buf in
            while got < 132 {
                let n = read(fd, buf.baseAddress! + got, 132 - got)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                got += n
            }
        }
        close(fd)
        return sniffed(path, head: Array(head.prefix(got)), verifier: v)
    }

    static func sniffed(_ path: String, head: [UInt8], verifier v: FileSetVerifier) -> Sniff {
        let got = head.count
        let hasPrefix = got == 132 && head[128] == 0x44 && head[129] == 0x49 && head[130] == 0x43 && head[131] == 0x4D
        if !hasPrefix {
            // A bare data set starts with a group 0002 or 0008 element in little endian.
            guard got >= 8, head[1] == 0, head[0] == 0x02 || head[0] == 0x08 else { return .notDICOM }
        }
        do {
            let f = try v.readHeader(path)
            let sop = f.fileMeta.string(.mediaStorageSOPClassUID) ?? f.dataSet.string(.sopClassUID)
            let inst = f.dataSet.string(.sopInstanceUID) ?? f.fileMeta.string(.mediaStorageSOPInstanceUID)
            if !hasPrefix && (sop ?? "").isEmpty { return .notDICOM }
            return .dicom(sopClass: sop, sopInstance: inst)
        } catch let e as DICOMParseError {
            return hasPrefix ? .dicomUnreadable(e.message) : .notDICOM
        } catch {
            return hasPrefix ? .dicomUnreadable("\(error)") : .notDICOM
        }
    }
}
