import DICOMCore
import DICOMFileSet
import DICOMIO

/// `verify`: the whole File-set checked in one pass (FileSetVerifier), aware of an interrupted write.
public enum FileSetVerification {
    public struct Result: Sendable {
        public var location: FileSetLocation
        public var fileSet: FileSet
        public var profile: ApplicationProfile?
        public var problems: [FileSetProblem]
        /// Problems of severity warning or error.
        public var hasProblems: Bool { problems.contains { $0.severity >= .warning } }

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
        public var text: String {
            var lines = problems.map(\.description)
            let e = problems.filter { $0.severity == .error }.count, w = problems.filter { $0.severity == .warning }.count
            lines.append("verify \(location.root): \(fileSet.recordCount) records\(profile.map { ", profile \($0.id)" } ?? ""): \(e) error(s), \(w) warning(s)\(hasProblems ? "" : ": clean")")
            return lines.joined(separator: "\n")
        }
    }

    public static func verify(source: String, profile: ApplicationProfile?, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Result {
        let loc = try FileSetLocation(source: source)
        let fs: FileSet
        do { fs = try DICOMDIRReader.read(path: loc.dicomdir) } catch let e as DICOMParseError {
            throw MediaError(.unreadable, "DICOMDIR cannot be read: \(e.description)", path: loc.dicomdir)
        }
        var problems = FileSetVerifier(root: loc.root, fileSet: fs, profile: profile, dicomdirPath: loc.dicomdir).verify(progress: progress)
        let pendingJournal: MediumJournal?
        do { pendingJournal = try FileSetTransaction.pending(in: loc.root) } catch let e as MediaError {
            pendingJournal = nil
            problems.append(FileSetProblem(.error, "journal-refused", e.description, fileID: FileSetTransaction.folderName, rule: "dicom-media journal"))
        }
        if let pending = pendingJournal {
            // An interrupted create/update/remove: its new files are not referenced yet, its deletions
            // not done yet. Both are the expected state until the next run completes the journal.
            let pendingIDs = Set(pending.copies.map { $0.fileID.uppercased() } + pending.deletions.map { $0.uppercased() })
            for i in problems.indices where problems[i].code == "unreferenced-file" {
                if let id = problems[i].fileID, pendingIDs.contains(id.uppercased()) || id.hasSuffix(".tmp") {
                    problems[i].severity = .info
                    problems[i].code = "pending-file"
                    problems[i].message = "written by an interrupted \(pending.operation); not referenced until it completes"
                }
            }
            problems.append(FileSetProblem(.info, "pending-transaction", "an interrupted \(pending.operation) (started \(pending.started)) is pending; the next dicom-media command on this File-set (or `dicom-media recover`) completes or rolls it back",
                                           fileID: FileSetTransaction.folderName, rule: "dicom-media journal"))
        }
        return Result(location: loc, fileSet: fs, profile: profile, problems: problems)
    }
}
