import DICOMCore
import DICOMFileSet
import DICOMIO

/// Lower-level directory files: DICOMDIR-like files in a subfolder (Philips "DIRFILE"), whose
/// records' File IDs are relative to the enclosing File-set root. PS3.10 §8.2 allows one DICOMDIR,
/// at the root; real media carry these too, so their records are followed like the root's.
enum LowerLevelDirectory {
    /// Names a lower-level directory file goes by.
    static let names: Set<String> = ["DIRFILE", "DICOMDIR"]

    /// Whether `path` (relative to the medium root, "/"-separated) may be a lower-level directory file.
    static func isCandidate(_ path: String) -> Bool {
        guard path.contains("/"), let last = path.split(separator: "/").last else { return false }
        return names.contains(Medium.normalisedPath(String(last)))
    }

    /// Reads every lower-level directory file of the medium and adds the files its records name
    /// (resolved from the medium's root) to `candidates`; the directory files themselves are marked
    /// as referenced so they are not taken for instances. Problems are reported under the file's path.
    static func follow(
        medium: MediumReader, files: [MediumFile], index: MediumIndex, referenced: inout Set<String>,
        candidates: inout [StoreImporter.Candidate], report: inout ImportReport
    ) {
        for f in files where isCandidate(f.path) {
            guard let bytes = try? medium.read(f.path), let file = try? Part10Reader.read(bytes: bytes, path: f.path),
                (file.fileMeta.string(.mediaStorageSOPClassUID) ?? "") == UID.mediaStorageDirectoryStorage
            else { continue }
            let fs = DICOMDIRReader.read(consume file)
            let records = fs.allRecords(includingOrphans: true)
            // File IDs relative to the medium's root (a lower-level DIRFILE), or to the file's own folder
            // (a nested File-set of its own): the base under which more of the first File IDs resolve.
            let folder = Array(f.path.split(separator: "/").dropLast().map(String.init))
            let sample = records.compactMap { $0.0.referencedFileID }.prefix(16)
            func hits(_ base: [String]) -> Int {
                sample.reduce(0) { n, id in
                    switch index.lookup(FileID(base + id.components)) {
                    case .exact, .variant: return n + 1;
                    default: return n
                    }
                }
            }
            let rootHits = hits([]), folderHits = hits(folder)
            guard rootHits > 0 || folderHits > 0 else { continue }  // names nothing here: scanned as before
            let base = rootHits >= folderHits ? [] : folder
            // Named by the root DICOMDIR (a record referencing it) or found: not an instance either way.
            if !referenced.insert(f.path).inserted { candidates.removeAll { $0.path == f.path } }
            let where_ = medium.location + " (" + f.path + ")"
            for p in fs.problems { report.problems.append((where_, p)) }
            for (rec, _) in records {
                guard let id = rec.referencedFileID else { continue }
                switch index.lookup(FileID(base + id.components)) {
                case .exact(let p), .variant(let p):
                    if referenced.insert(p).inserted { candidates.append(StoreImporter.Candidate(path: p, record: rec.fileReference)) }
                case .missing:
                    report.missing.append(
                        ImportReport.FileProblem(
                            source: where_, path: id.path,
                            reason:
                                "named by the lower-level directory file \(f.path) (\(rec.type.rawValue) \(rec.referencedSOPInstanceUID ?? "")) but not on the medium"
                        ))
                case .outsideRoot:
                    report.failed.append(
                        ImportReport.FileProblem(source: where_, path: id.path, reason: "File ID leaves the medium's root; refused, not read (PS3.10 8.2)"))
                }
            }
        }
    }
}
