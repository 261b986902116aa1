import FileSystem
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
