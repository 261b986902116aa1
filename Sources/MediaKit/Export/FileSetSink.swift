import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import MediaImage
#if canImport(Glibc)
import Glibc
#endif

/// Where the end of a plan goes: the list of copies (source file -> File ID), the DICOMDIR (encoded as written) and
/// the optional PDI files are written either as a journaled folder (FileSetTransaction) or streamed
/// into an ISO image (ISOWriter) without a staging copy of the files.
public enum FileSetSink {
    /// Private folder (0700, files 0600) for re-encoded (staged) files, in the target's tool folder
    /// held under its FileSetLock: the journal folder of a folder File-set (so an interrupted run can
    /// resume), `.NAME.dicom-media/` beside an image NAME (never in /tmp, never inside the image).
    public static func stagingFolder(root: String, options: FileSetOptions) -> String {
        FileSetLock.stagingFolder(in: options.image == nil ? FileSetLock.toolFolder(root: root) : FileSetLock.toolFolder(image: root))
    }

    /// Writes the File-set and returns the problems of its PDI content (key images that could not be rendered).
    static func write(
        _ fs: FileSet, root: String, copies: [FileSetTransaction.Copy], staging: String,
        operation: String, options: FileSetOptions, progress: (@Sendable (String, Int, Int) -> Void)?
    ) throws -> [FileSetProblem] {
        let pdi = try options.pdi.map { try PDIWriter(options: $0).output(for: fs, copies: copies) }
        let extra = pdi?.files ?? []
        if let image = options.image {
            defer { try? FileManager.default.removeItem(atPath: staging) }
            // The DICOMDIR is written to a private scratch file as it is encoded, and read from it as the image is
            // written: neither this process nor libisofs holds a copy of it.
            try makePrivateDirectory(staging)
            let stagedDICOMDIR = staging + "/DICOMDIR"
            var dicomdirSize: Int64 = 0
            try writePrivateFile(to: stagedDICOMDIR, sync: false) { write in
                try DICOMDIRWriter.write(fs, sourceAETitle: options.sourceAETitle) { part in
                    try write(part)
                    dicomdirSize += Int64(part.count)
                }
            }
            var files = [ImageFile(path: "DICOMDIR", content: .file(stagedDICOMDIR))]
            files += copies.map { ImageFile(path: $0.fileID, content: .file($0.source)) }
            files += extra.map { ImageFile(path: $0.path, content: .bytes($0.bytes)) }
            var o = ISOWriteOptions(volumeID: image.volumeID ?? volumeID(for: fs.fileSetID))
            o.rockRidge = image.rockRidge; o.joliet = image.joliet; o.engine = image.engine
            o.application = "DICOM_MEDIA_\(Implementation.version.replacingOccurrences(of: ".", with: "_"))"
            if let inst = options.pdi?.institution { o.publisher = String(inst.uppercased().prefix(128)) }
            let total = copies.count
            let sizes = copies.reduce(dicomdirSize) { $0 + Int64($1.size) }
            // Written inside the private tool folder, then moved beside it: a kill leaves no partial image in sight.
            let tool = FileSetLock.toolFolder(image: image.path)
            let building = tool + "/" + FileSetLock.split(image.path).1
            do {
                try ISOWriter.write(files: files, to: building, options: o) { done, all in
                    // Progress in files' worth of bytes, so the phase reads like "copying n/N".
                    let whole = all > 0 ? all : sizes
                    progress?("writing image", Int(min(Int64(total), done * Int64(total) / max(1, whole))), total)
                }
            } catch let e as ImageError {
                unlink(building)
                throw MediaError(.io, e.message, path: e.path.map { $0.hasPrefix(tool) ? image.path : $0 }, cause: e)
            }
            try moveWithoutReplacing(building, to: image.path)
            if let p = options.pdi { try pdi?.writeLabels(p) }
            return pdi?.problems ?? []
        }
        try makeDirectories(root)
        let tx = FileSetTransaction(operation: operation, copies: copies)
        try tx.run(root: root, fileSet: fs, sourceAETitle: options.sourceAETitle, progress: progress.map { p in { @Sendable in p("copying", $0, $1) } })
        let medium = Medium(root: root)
        for f in extra {
            do { try medium.createFile(try Medium.components(ofRelativePath: f.path), bytes: f.bytes, replace: true) } catch let e as MediumError {
                throw MediaError(e)
            }
        }
        if let p = options.pdi { try pdi?.writeLabels(p) }
        return pdi?.problems ?? []
    }

    /// The volume identifier for a File-set ID: the ID itself (PS3.12 F.3.1), or DICOM when it is empty.
    public static func volumeID(for fileSetID: String) -> String { fileSetID.isEmpty ? "DICOM" : fileSetID }
}
