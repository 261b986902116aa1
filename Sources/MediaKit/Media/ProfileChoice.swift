import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
                throw MediaError(
                    .profileNeeded,
                    "the File-set was made for \(r), and --profile \(given.id) does not allow its \(DataDictionary.uidName(bad.sop) ?? bad.sop) in \(TransferSyntax(uid: bad.ts).name) (\(bad.fileID)); leave --profile out to keep \(r)",
                    path: path)
            }
            return (given, "option")
        }
        if let r = recorded, let p = ApplicationProfile.named(r) { return (p, "recorded") }
        let (implied, why) = implied(by: fs)
        if let implied { return (implied, "content") }
        throw MediaError(
            .profileNeeded,
            "cannot tell the File-set's application profile: it records none and \(why); give --profile (e.g. --profile \(ApplicationProfile.default.id))",
            path: path)
    }
}
