import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The names already on a medium that new files must avoid (stray files and folders included), and
/// the File-set's instances whose folders new instances of the same patient, study or series reuse
/// (PS3.10 §8.3: an updater never overwrites; the hierarchy is extended).
struct MediumOccupancy {
    /// Every file name under the root (referenced or not), upper-cased as a case-insensitive medium sees it.
    var files = Set<FileID>()
    /// Every folder under the root.
    var folders = Set<FileID>()
    /// Instances of the File-set: File ID and a header with Patient ID, Study and Series Instance UID.
    var instances: [(FileID, DataSet)] = []

    /// The names under `root` (hidden entries and the journal folder excepted; symbolic links are
    /// names, never followed), and the instances of `fileSet` when given.
    static func scan(root: String, fileSet: FileSet?) -> MediumOccupancy {
        var o = MediumOccupancy()
        func walk(_ dir: String, _ prefix: [String]) {
            guard prefix.count < 8 else { return }  // File IDs have at most 8 components (PS3.10 8.5)
            for name in folderNames(dir) {
                if name.hasPrefix(".") { continue }
                let full = dir + "/" + name
                var st = stat()
                guard lstat(full, &st) == 0 else { continue }
                let id = prefix + [name.uppercased()]
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    o.folders.insert(FileID(id))
                    walk(full, id)
                } else {
                    o.files.insert(FileID(id))
                }
            }
        }
        walk(root, [])
        if let fs = fileSet {
            func visit(_ records: [DirectoryRecord], _ keys: DataSet) {
                for r in records {
                    var k = keys
                    if r.type == .patient, let v = r.keys.string(.patientID) { k.setString(.patientID, .LO, v) }
                    if r.type == .study, let v = r.keys.string(.studyInstanceUID) { k.setString(.studyInstanceUID, .UI, v) }
                    if r.type == .series, let v = r.keys.string(.seriesInstanceUID) { k.setString(.seriesInstanceUID, .UI, v) }
                    if let id = r.referencedFileID {
                        o.files.insert(FileID(id.components.map { $0.uppercased() }))
                        o.instances.append((id, k))
                    }
                    visit(r.children, k)
                }
            }
            visit(fs.records, DataSet())
        }
        return o
    }

    /// Reserves the folders and adopts the instances' folders in a fresh allocator (made with `files` as existing).
    func apply(to allocator: inout FileIDAllocator) {
        for f in folders.sorted() { allocator.reserveFolder(f) }
        for (id, header) in instances { allocator.adopt(FileID(id.components.map { $0.uppercased() }), header: header) }
    }
}

/// The application profile a File-set was made for, as this tool records it in the DICOMDIR: the
/// File Meta's Private Information (0002,0102) under Private Information Creator UID (0002,0100) =
/// this implementation's class UID (PS3.10 §7.1). Other readers ignore it; `update` reads it back.
public enum RecordedProfile {
    static let prefix = "dicom-media application-profile="

    /// The profile identifier recorded by this tool, or nil (none, or another implementation's private information).
    public static func identifier(in fs: FileSet) -> String? {
        guard fs.fileMeta.string(.privateInformationCreatorUID) == Implementation.classUID,
              let bytes = fs.fileMeta[.privateInformation]?.bytes else { return nil }
        var text = String(decoding: bytes, as: UTF8.self)
        while let last = text.last, last == "\0" || last == " " { text.removeLast() }
        guard text.hasPrefix(prefix) else { return nil }
        return String(text.dropFirst(prefix.count))
    }

    /// Records `profile` unless the DICOMDIR carries another implementation's private information (kept as it is).
    static func record(_ profile: ApplicationProfile, in fs: inout FileSet) {
        if let creator = fs.fileMeta.string(.privateInformationCreatorUID), creator != Implementation.classUID { return }
        var bytes = Array((prefix + profile.id).utf8)
        if bytes.count % 2 == 1 { bytes.append(0) }
        fs.fileMeta.setString(.privateInformationCreatorUID, .UI, Implementation.classUID)
        fs.fileMeta.set(DataElement(tag: .privateInformation, vr: .OB, bytes: bytes))
    }
}

/// Which application profile `update` follows (PS3.11: a File-set conforms to one profile).
public enum ProfileChoice {
    /// The SOP class / transfer syntax pairs of the File-set's instance records.
    static func content(of fs: FileSet) -> [(sop: String, ts: String, fileID: String)] {
        var seen = Set<String>()
        var out: [(String, String, String)] = []
        for (r, _) in fs.allRecords() {
            guard let sop = r.referencedSOPClassUID, let ts = r.referencedTransferSyntaxUID else { continue }
            if seen.insert(sop + "|" + ts).inserted { out.append((sop, ts, r.referencedFileID?.path ?? "")) }
        }
        return out
    }

    /// Whether every instance of the File-set has a SOP class and transfer syntax `profile` allows.
    static func misfit(_ profile: ApplicationProfile, _ content: [(sop: String, ts: String, fileID: String)]) -> (sop: String, ts: String, fileID: String)? {
        content.first { c in
            !(profile.sopClasses?.contains(c.sop) ?? true) || !profile.transferSyntaxes(for: c.sop).contains(c.ts)
        }
    }

    /// The profile the content implies: among the profiles that allow every instance on the medium
    /// and an updater, the general-purpose ones first, then those allowing the fewest transfer
    /// syntaxes for the SOP classes present, in PS3.11 order (so an uncompressed CD gives STD-GEN-CD,
    /// JPEG lossless content STD-GEN-USB-JPEG). nil with the reason when none fits.
    public static func implied(by fs: FileSet) -> (ApplicationProfile?, String) {
        let content = content(of: fs)
        if content.isEmpty { return (nil, "the File-set holds no instances to tell it by") }
        let fits = ApplicationProfile.all.filter { $0.updaterAllowed && misfit($0, content) == nil }
        let general = fits.filter { $0.sopClasses == nil }
        let pool = general.isEmpty ? fits : general
        let classes = Set(content.map(\.sop))
        func breadth(_ p: ApplicationProfile) -> Int { Set(classes.flatMap { p.transferSyntaxes(for: $0) }).count }
        guard let best = pool.min(by: { breadth($0) < breadth($1) }) else {
            let kinds = content.map { "\(DataDictionary.uidName($0.sop) ?? $0.sop) in \(TransferSyntax(uid: $0.ts).name)" }
            return (nil, "no application profile allows all of its content (\(kinds.joined(separator: "; ")))")
        }
        return (best, "")
    }

    /// The profile to update `fs` with: `given` when the user named one (refused when it contradicts the
    /// recorded profile and the content), else the recorded one, else the one the content implies.
    /// Returns the profile and where it came from: "option", "recorded" or "content".
    public static func forUpdate(_ fs: FileSet, given: ApplicationProfile?, path: String) throws -> (ApplicationProfile, String) {
        let recorded = RecordedProfile.identifier(in: fs)
        if let given {
            if let r = recorded, r != given.id, let bad = misfit(given, content(of: fs)) {
                throw MediaError(.profileNeeded, "the File-set was made for \(r), and --profile \(given.id) does not allow its \(DataDictionary.uidName(bad.sop) ?? bad.sop) in \(TransferSyntax(uid: bad.ts).name) (\(bad.fileID)); leave --profile out to keep \(r)", path: path)
            }
            return (given, "option")
        }
        if let r = recorded, let p = ApplicationProfile.named(r) { return (p, "recorded") }
        let (implied, why) = implied(by: fs)
        if let implied { return (implied, "content") }
        throw MediaError(.profileNeeded, "cannot tell the File-set's application profile: it records none and \(why); give --profile (e.g. --profile \(ApplicationProfile.default.id))", path: path)
    }
}
