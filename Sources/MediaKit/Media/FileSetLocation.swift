import FileSystem
import DICOMFileSet

/// Where a File-set lives: its root folder and its DICOMDIR (PS3.10 §8.2, PS3.12: DICOMDIR in the root).
public struct FileSetLocation: Sendable {
    public var root: String
    public var dicomdir: String
    /// The directory file is a lower-level one (e.g. Philips DIRFILE): `root` is the enclosing File-set's.
    public var isLowerLevel = false

    public init(root: String, dicomdir: String) { self.root = root; self.dicomdir = dicomdir }

    /// SOURCE is a folder holding a DICOMDIR (any case), or the DICOMDIR file itself.
    public init(source: String) throws {
        var src = source
        while src.count > 1 && src.hasSuffix("/") { src.removeLast() }
        if isDirectory(src) {
            let resolver = Medium(root: src)
            guard let path = resolver.path(FileID(["DICOMDIR"])) else {
                throw MediaError(.noDICOMDIR, "no DICOMDIR in this folder", path: src)
            }
            root = src; dicomdir = path
        } else if isRegularFile(src) {
            dicomdir = src
            if let slash = src.lastIndex(of: "/") { root = String(src[..<slash]); if root.isEmpty { root = "/" } } else { root = "." }
        } else {
            throw MediaError(.notFound, "no such file or folder", path: src)
        }
    }

    /// The File-set root a directory file's File IDs are relative to. A DICOMDIR in its own folder
    /// normally; a lower-level directory file (Philips DIRFILE, a DICOMDIR in a subfolder) names files
    /// relative to the enclosing File-set root, the nearest folder above holding a DICOMDIR (PS3.10
    /// §8.2). The folder under which more of the first referenced File IDs resolve wins; ties keep `folder`.
    public static func enclosingRoot(of fs: FileSet, dicomdir: String, folder: String, sample: Int = 16) -> String {
        // The first `sample` File IDs of the tree, then of the orphans (depth-first, without listing every record).
        var ids: [FileID] = []
        func collect(_ r: DirectoryRecord) {
            guard ids.count < sample else { return }
            if let id = r.referencedFileID { ids.append(id) }
            for c in r.children { collect(c) }
        }
        for r in fs.records + fs.orphans { collect(r) }
        if ids.isEmpty { return folder }
        func hits(_ root: String) -> Int {
            let resolver = Medium(root: root)
            return ids.reduce(0) { $0 + (resolver.path($1) != nil ? 1 : 0) }
        }
        var best = folder, bestHits = hits(folder)
        if bestHits == ids.count { return folder }
        // Walk up to folders holding a DICOMDIR (at most 16 levels).
        var dir = realPath(folder) ?? folder
        for _ in 0..<16 {
            guard let slash = dir.lastIndex(of: "/"), dir != "/" else { break }
            dir = slash == dir.startIndex ? "/" : String(dir[..<slash])
            let resolver = Medium(root: dir)
            guard let top = resolver.path(FileID(["DICOMDIR"])), realPath(top) != realPath(dicomdir) else { continue }
            let h = hits(dir)
            if h > bestHits { best = dir; bestHits = h }
            if h == ids.count { break }
        }
        return best
    }
}
