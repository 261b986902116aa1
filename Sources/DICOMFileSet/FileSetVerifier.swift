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
/// The reader's findings (`fileSet.problems`) are passed through unchanged, except `root-record-type`,
/// reported here as `record-misplaced` with the other PS3.3 F.4 checks. Every code, its severity and
/// rule: docs/DIAGNOSTICS.md (## DICOMFileSet); the constants: Generated/DiagnosticCodes.swift.
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
    public init(
        root: String, fileSet: FileSet, profile: ApplicationProfile?, dicomdirPath: String? = nil, files: FileSetFiles? = nil,
        ignoring ignoredNames: Set<String> = []
    ) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r.isEmpty ? "." : r
        self.fileSet = fileSet
        self.profile = profile
        self.dicomdirPath = dicomdirPath
        self.files = files
        self.ignoredNames = ignoredNames
    }

    /// The path of a file named `root/relative` relative to the root.
    func relative(_ path: String) -> String { path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path }

    /// The bytes of a file named `root/relative`, through `files` when set.
    func readFile(_ path: String, prefix: Int? = nil, from files: FileSetFiles) throws -> [UInt8] {
        let rel = relative(path)
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
