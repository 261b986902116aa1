import DICOMCodecs
import DICOMCore
import DICOMStore
import DICOMFileSet
import DICOMIO
import DICOMPixel

/// `verify`: the whole File-set checked in one pass (FileSetVerifier), aware of an interrupted write.
public enum FileSetVerification {
    public struct Result: Sendable {
        public var location: FileSetLocation
        public var fileSet: FileSet
        public var profile: ApplicationProfile?
        public var problems: [FileSetProblem]
        /// Errors found (exit 1); warnings alone exit 0 (1 with `--fail-on warning`).
        public var hasProblems: Bool { problems.contains { $0.severity >= .error } }
        public var hasWarnings: Bool { problems.contains { $0.severity == .warning } }

        public var json: JSON {
            func count(_ s: Diagnostic.Severity) -> JSON { .int(Int64(problems.filter { $0.severity == s }.count)) }
            return .object([
                ("source", .string(location.root)), ("dicomdir", .string(location.dicomdir)),
                ("fileSetID", .string(fileSet.fileSetID)), ("fileSetUID", .string(fileSet.fileSetUID)),
                ("profile", profile.map { .string($0.id) } ?? .null),
                ("records", .int(Int64(fileSet.recordCount))),
                ("errors", count(.error)), ("warnings", count(.warning)), ("infos", count(.info)),
                ("problems", .array(problems.map(\.json))),
            ])
        }
        /// The summary (stdout); the problems themselves are diagnostics (stderr).
        public var text: String {
            var lines: [String] = []
            let e = problems.filter { $0.severity == .error }.count, w = problems.filter { $0.severity == .warning }.count
            lines.append(
                "verify \(location.root): \(fileSet.recordCount) records\(profile.map { ", profile \($0.id)" } ?? ""): \(e) error(s), \(w) warning(s)\(hasProblems || hasWarnings ? "" : ": clean")"
            )
            return lines.joined(separator: "\n")
        }
    }

    /// `verify SOURCE`: an image (ISO 9660, ZIP, tar) read in place, else a folder or DICOMDIR path;
    /// with `pdi` also the IHE PDI rules (README.TXT, INDEX.HTM, names outside the DICOM tree).
    public static func verify(source: String, profile: ApplicationProfile?, deep: Bool, pdi: Bool, progress: (@Sendable (Int, Int) -> Void)? = nil) throws
        -> Result
    {
        if FileSetImage.isImage(source) {
            let medium = try ImageMedium(image: source)
            var r = try verify(medium: medium, profile: profile, deep: deep, progress: progress)
            if pdi { r.problems += PDIChecker.check(medium: medium, fileSet: r.fileSet) }
            return r
        }
        var r = try verify(source: source, profile: profile, deep: deep, progress: progress)
        if pdi { r.problems += PDIChecker.check(root: r.location.root, fileSet: r.fileSet) }
        return r
    }

    /// With `deep`, every frame of every referenced, complete image is also decoded (PS3.5 §8, §A.4).
    public static func verify(source: String, profile: ApplicationProfile?, deep: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil) throws
        -> Result
    {
        let loc = try FileSetLocation(source: source)
        let fs: FileSet
        do { fs = try DICOMDIRReader.read(path: loc.dicomdir) } catch let e as DICOMParseError {
            throw MediaError(.unreadable, "DICOMDIR cannot be read: \(e.description)", path: loc.dicomdir, cause: e)
        }
        var problems = FileSetVerifier(root: loc.root, fileSet: fs, profile: profile, dicomdirPath: loc.dicomdir, ignoring: [FileSetTransaction.folderName])
            .verify(progress: progress)
        if deep { problems += decodeFrames(root: loc.root, fileSet: fs, skip: Set(problems.filter { $0.severity == .error }.compactMap(\.fileID))) }
        let pendingJournal: MediumJournal?
        do { pendingJournal = try FileSetTransaction.pending(in: loc.root) } catch let e as MediaError {
            pendingJournal = nil
            problems.append(FileSetProblem(.error, .journalRefused, e.description, fileID: FileSetTransaction.folderName, rule: "dicom-media journal"))
        }
        if let pending = pendingJournal {
            // An interrupted create/update/remove: its new files are not referenced yet, its deletions
            // not done yet. Both are the expected state until the next run completes the journal.
            let pendingIDs = Set(pending.copies.map { $0.fileID.uppercased() } + pending.deletions.map { $0.uppercased() })
            for i in problems.indices where problems[i].code == .unreferencedFile {
                if let id = problems[i].fileID, pendingIDs.contains(id.uppercased()) || id.hasSuffix(".tmp") {
                    problems[i].severity = .info
                    problems[i].code = .pendingFile
                    problems[i].message = "written by an interrupted \(pending.operation); not referenced until it completes"
                }
            }
            problems.append(
                FileSetProblem(
                    .info, .pendingTransaction,
                    "an interrupted \(pending.operation) (started \(pending.started)) is pending; the next dicom-media command on this File-set (or `dicom-media recover`) completes or rolls it back",
                    fileID: FileSetTransaction.folderName, rule: "dicom-media journal"))
        }
        return Result(location: loc, fileSet: fs, profile: profile, problems: problems)
    }

    /// `verify` of a medium read in place (an image): the same checks through its file list and
    /// reads; the medium's own problems (a truncated image) come first.
    public static func verify(medium: MediumReader, profile: ApplicationProfile?, deep: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil) throws
        -> Result
    {
        let (loc, fs, _) = try MediumFileSet.read(medium)
        var problems = (medium as? ImageMedium)?.problems ?? []
        problems += FileSetVerifier(
            root: loc.root, fileSet: fs, profile: profile, dicomdirPath: loc.root + "/" + loc.dicomdir.dropFirst(loc.root.count + 1),
            files: MediumFileSet(medium: medium), ignoring: [FileSetTransaction.folderName]
        ).verify(progress: progress)
        if deep {
            let skip = Set(problems.filter { $0.severity == .error }.compactMap(\.fileID))
            let files = FileListResolver(paths: (try? medium.files().map(\.path)) ?? [])
            problems += decodeFrames(fileSet: fs, skip: skip) { id in
                switch files.resolve(id) {
                case .exact(let p), .variant(let p): return (p, try medium.read(p))
                default: return nil
                }
            }
        }
        return Result(location: loc, fileSet: fs, profile: profile, problems: problems)
    }

    /// Decodes every frame of each referenced file (through the codec registry); a failure is `frame-undecodable`.
    /// Files already in error (missing, incomplete) are skipped. One file in memory at a time; frames on every core.
    static func decodeFrames(root: String, fileSet: FileSet, skip: Set<String>) -> [FileSetProblem] {
        let resolver = Medium(root: root)
        return decodeFrames(fileSet: fileSet, skip: skip) { id in
            switch resolver.resolve(id) {
            case .exact(let p), .variant(let p): return (p, try readWholeFile(p))
            default: return nil
            }
        }
    }

    /// `load` gives a referenced file's path (for messages) and bytes, or nil when it is not on the medium.
    static func decodeFrames(fileSet: FileSet, skip: Set<String>, load: (FileID) throws -> (String, [UInt8])?) -> [FileSetProblem] {
        Codecs.registerAll()
        var seen = Set<String>()
        var out: [FileSetProblem] = []
        for (rec, _) in fileSet.allRecords() {
            guard let id = rec.referencedFileID, !skip.contains(id.path), seen.insert(id.path).inserted else { continue }
            do {
                guard let (path, bytes) = try load(id) else { continue }
                // Native Pixel Data needs no decoding: the completeness check already found every frame whole.
                let f = try Part10Reader.read(bytes: bytes, path: path)
                guard f.transferSyntax.isEncapsulated, f.dataSet[.pixelData] != nil else { continue }
                _ = try PixelTranscoder().transcode(dataSet: f.dataSet, fileMeta: f.fileMeta, from: f.transferSyntax, to: .explicitVRLittleEndian)
            } catch {
                out.append(
                    FileSetProblem(.error, .frameUndecodable, "a frame of the referenced file does not decode: \(error)", fileID: id.path, rule: "PS3.5 8"))
            }
        }
        return out
    }
}
