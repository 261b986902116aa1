import FileSystem
import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import MediaImage
#if canImport(Glibc)
import Glibc
#endif

/// `dicom-media iso FILESET FILE`: an existing File-set folder packaged as an ISO 9660 image.
public enum FileSetPackager {
    public struct Result: Sendable {
        public var image: String
        public var volumeID: String
        public var files: Int
        public var bytes: Int64
        /// Links left out because they leave the File-set or loop: (path, why).
        public var skipped: [(path: String, reason: String)] = []
    }

    /// Every file under the File-set root (hidden entries and the journal folder excepted), DICOMDIR at the image root.
    public static func package(
        fileSet source: String, to output: String, volumeID: String?, rockRidge: Bool,
        engine: ISOWriteOptions.Engine = .libisofs
    ) throws -> Result {
        let loc = try FileSetLocation(source: source)
        if try FileSetTransaction.pending(in: loc.root) != nil {
            throw MediaError(.refused, "an interrupted write is pending; run `dicom-media verify` or `update` on it first", path: loc.root)
        }
        let fs: FileSet
        do { fs = try DICOMDIRReader.read(path: loc.dicomdir) } catch let e as DICOMParseError {
            throw MediaError(.unreadable, "DICOMDIR cannot be read: \(e.description)", path: loc.dicomdir, cause: e)
        }
        if isRegularFile(output) { throw MediaError(.refused, "already exists; it is never overwritten", path: output) }
        var files: [ImageFile] = []
        var bytes: Int64 = 0
        let walk = Medium(root: loc.root).walk()
        for f in walk.files {
            var rel = String(f.dropFirst(loc.root.count + 1))
            if f == loc.dicomdir { rel = "DICOMDIR" }
            files.append(ImageFile(path: rel, content: .file(f)))
            bytes += Int64(fileSize(f))
        }
        let vol = volumeID ?? FileSetSink.volumeID(for: fs.fileSetID)
        var o = ISOWriteOptions(volumeID: vol)
        o.rockRidge = rockRidge; o.engine = engine
        o.application = "DICOM_MEDIA_\(Implementation.version.replacingOccurrences(of: ".", with: "_"))"
        do { try ISOWriter.write(files: files, to: output, options: o) } catch let e as ImageError {
            throw MediaError(.io, e.message, path: e.path, cause: e)
        }
        return Result(image: output, volumeID: vol, files: files.count, bytes: bytes, skipped: walk.skipped)
    }
}
