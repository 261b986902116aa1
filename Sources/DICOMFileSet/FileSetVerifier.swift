import DICOMCore
import DICOMIO
import Dispatch
import Foundation
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

    /// Names in the File-set root that are not part of the File-set and are not walked, e.g. the
    /// folder where a tool keeps the journal of a write in progress (its name is not a File ID, so
    /// it is outside the DICOM name space).
    public let ignoredNames: Set<String>

    /// `root` is the folder holding the DICOMDIR; `profile` nil = structure and consistency only;
    /// `ignoring`: names in the root that are left out of the folder walk.
    public init(root: String, fileSet: FileSet, profile: ApplicationProfile?, dicomdirPath: String? = nil, files: FileSetFiles? = nil,
                ignoring ignoredNames: Set<String> = []) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r.isEmpty ? "." : r
        self.fileSet = fileSet
        self.profile = profile
        self.dicomdirPath = dicomdirPath
        self.files = files
        self.ignoredNames = ignoredNames
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
