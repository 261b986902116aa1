import DICOMCore
import Foundation

/// The journal of a File-set change (`ROOT/.dicom-media/journal.json`), as found on a medium: it is
/// untrusted (a foreign USB stick can carry one), so it is parsed and validated entirely before any
/// step is taken. What it can ask for is only: (a) renaming a file staged in its own folder
/// (`.dicom-media/staged/NAME`) to a File ID, (b) renaming the staged DICOMDIR over the DICOMDIR,
/// (c) deleting files inside the root; files copied from outside by the live process are recorded
/// by their destination File ID and size only, so a resumed run can tell whether they are complete
/// (copies are written through a temporary name and a rename: a file at its File ID is whole).
public struct MediumJournal: Codable, Sendable, Equatable {
    /// The format of this journal; journals of another format are refused.
    public static let formatVersion = 2
    /// The folder of the journal, the staged DICOMDIR and staged files.
    public static let folderName = ".dicom-media"
    public static let folder = [folderName]
    public static let journalFile = [folderName, "journal.json"]
    public static let stagedDICOMDIR = [folderName, "DICOMDIR.new"]
    public static let stagedFolder = [folderName, "staged"]

    public struct Copy: Codable, Sendable, Equatable {
        /// Destination, "/"-separated, relative to the root.
        public var fileID: String
        /// Size in bytes of the complete file.
        public var size: Int
        /// Name of the source inside `.dicom-media/staged/`, or nil when the live process copied it from outside.
        public var staged: String?
        public init(fileID: String, size: Int, staged: String?) { self.fileID = fileID; self.size = size; self.staged = staged }
    }

    public var version: Int
    public var operation: String
    public var started: String
    public var copies: [Copy]
    /// Paths ("/"-separated, relative to the root) to delete once the new DICOMDIR is in place.
    public var deletions: [String]

    public init(operation: String, started: String, copies: [Copy], deletions: [String]) {
        version = Self.formatVersion
        self.operation = operation; self.started = started; self.copies = copies; self.deletions = deletions
    }

    /// Parses and validates a journal's bytes; `journal` names it in errors. Nothing is touched.
    public static func parse(_ data: [UInt8], journal: String) throws -> MediumJournal {
        let j: MediumJournal
        do { j = try JSONDecoder().decode(MediumJournal.self, from: Data(data)) } catch {
            throw MediumError(
                .refused, "journal cannot be read (not a dicom-media journal of format \(formatVersion)): \(shortDescription(error)); it is left untouched",
                path: journal, cause: error)
        }
        try j.validate(journal: journal)
        return j
    }

    /// Refuses the journal unless every entry stays inside the root: File IDs and deletions are
    /// legal relative paths outside the journal folder (never the DICOMDIR itself), staged sources
    /// are single names inside `.dicom-media/staged/`, sizes are not negative.
    public func validate(journal: String) throws {
        func bad(_ what: String, _ why: String) -> MediumError {
            MediumError(.refused, "journal entry \(what) is refused: \(why); nothing was done and the journal is left untouched", path: journal)
        }
        if version != Self.formatVersion { throw bad("version \(version)", "only format \(Self.formatVersion) is understood") }
        if !["create", "update", "remove"].contains(operation) { throw bad("operation '\(operation.prefix(40))'", "unknown operation") }
        func checkTarget(_ path: String, _ what: String) throws {
            let comps = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            if let why = Medium.pathProblem(comps) { throw bad("\(what) '\(path.prefix(200))'", "it leaves the File-set root (\(why))") }
            if comps[0] == Self.folderName { throw bad("\(what) '\(path.prefix(200))'", "it names the journal's own folder") }
            if comps.count == 1 && Medium.normalise(comps[0], file: false) == "DICOMDIR" {
                throw bad("\(what) '\(path.prefix(200))'", "the DICOMDIR is only ever replaced by the staged one")
            }
        }
        for (i, c) in copies.enumerated() {
            try checkTarget(c.fileID, "copies[\(i)].fileID")
            if c.size < 0 { throw bad("copies[\(i)].size", "negative size") }
            if let s = c.staged {
                if let why = Medium.componentProblem(s) {
                    throw bad("copies[\(i)].staged '\(s.prefix(200))'", "a staged file must be a single name inside \(Self.folderName)/staged (\(why))")
                }
            }
        }
        for (i, d) in deletions.enumerated() { try checkTarget(d, "deletions[\(i)]") }
    }

    /// The bytes written for this journal.
    /// Written straight into one buffer (keys sorted, as `JSONEncoder` with `.sortedKeys` orders them; `staged` left
    /// out when nil): no encoder tree of every copy beside the DICOMDIR (a plan of 20,000 files held 8 MB more).
    public func encoded() throws -> [UInt8] {
        var w = JSONWriter(capacity: 128 + copies.count * 64 + deletions.count * 48)
        w.beginObject()
        w.key("copies")
        w.beginArray()
        for c in copies {
            w.beginObject()
            w.key("fileID"); w.string(c.fileID)
            w.key("size"); w.int(Int64(c.size))
            if let s = c.staged { w.key("staged"); w.string(s) }
            w.endObject()
        }
        w.endArray()
        w.key("deletions")
        w.beginArray()
        for d in deletions { w.string(d) }
        w.endArray()
        w.key("operation"); w.string(operation)
        w.key("started"); w.string(started)
        w.key("version"); w.int(Int64(version))
        w.endObject()
        return w.bytes
    }

    static func shortDescription(_ e: Error) -> String {
        if let d = e as? DecodingError {
            switch d {
            case .dataCorrupted(let c), .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c):
                let at = c.codingPath.map(\.stringValue).joined(separator: ".")
                return (at.isEmpty ? "" : at + ": ") + c.debugDescription
            @unknown default: return "\(e)"
            }
        }
        return "\(e)"
    }
}
