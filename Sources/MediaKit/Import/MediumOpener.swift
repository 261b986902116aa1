import FileSystem
import DICOMFileSet
#if canImport(Glibc)
import Glibc
#endif

/// Opens a SOURCE of `import`: a folder (File-set, mounted disc or plain folder), a DICOMDIR file
/// (its folder is the medium), or a single file.
public enum MediumOpener {
    public static func open(_ source: String) throws -> MediumReader {
        var src = source
        while src.count > 1 && src.hasSuffix("/") { src.removeLast() }
        if isDirectory(src) { return FolderMedium(root: src) }
        guard isRegularFile(src) else { throw MediaError(.notFound, "no such file or folder", path: src) }
        let slash = src.lastIndex(of: "/")
        let dir = slash.map { String(src[..<$0]) } ?? "."
        let name = slash.map { String(src[src.index(after: $0)...]) } ?? src
        if name.uppercased() == "DICOMDIR" { return FolderMedium(root: dir.isEmpty ? "/" : dir) }
        if FileSetImage.isImage(src) { return try ImageMedium(image: src) }
        return FolderMedium(root: dir.isEmpty ? "/" : dir, only: [name])
    }
}
