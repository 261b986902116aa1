import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import MediaImage
#if canImport(Glibc)
import Glibc
#endif

/// `create --iso FILE`: the File-set goes into an ISO 9660 image instead of a folder (PS3.12 Annex F/P).
public struct ImageOutput: Sendable {
    /// The image file to write.
    public var path: String
    /// Primary Volume Descriptor volume identifier; nil: the File-set ID (PS3.12 F.3.1), never a patient's name.
    public var volumeID: String?
    public var rockRidge = true
    public var joliet = true
    public var engine: ISOWriteOptions.Engine = .libisofs
    public init(path: String) { self.path = path }
}

/// Where the end of a plan goes: the list of copies (source file -> File ID), the DICOMDIR bytes and
/// the optional PDI files are written either as a journaled folder (FileSetTransaction) or streamed
/// into an ISO image (ISOWriter) without a staging copy of the files.
public enum FileSetSink {
    /// Private folder (0700, files 0600) for re-encoded (staged) files, in the target's tool folder
    /// held under its FileSetLock: the journal folder of a folder File-set (so an interrupted run can
    /// resume), `.NAME.dicom-media/` beside an image NAME (never in /tmp, never inside the image).
    public static func stagingFolder(root: String, options: FileSetOptions) -> String {
        FileSetLock.stagingFolder(in: options.image == nil ? FileSetLock.toolFolder(root: root) : FileSetLock.toolFolder(image: root))
    }

    static func write(_ fs: FileSet, root: String, copies: [FileSetTransaction.Copy], dicomdir: [UInt8], staging: String,
                      operation: String, options: FileSetOptions, progress: (@Sendable (String, Int, Int) -> Void)?) throws {
        let extra = try options.pdi.map { try PDIWriter(options: $0).files(for: fs, copies: copies) } ?? []
        if let image = options.image {
            defer { try? FileManager.default.removeItem(atPath: staging) }
            var files = [ImageFile(path: "DICOMDIR", content: .bytes(dicomdir))]
            files += copies.map { ImageFile(path: $0.fileID, content: .file($0.source)) }
            files += extra.map { ImageFile(path: $0.path, content: .bytes($0.bytes)) }
            var o = ISOWriteOptions(volumeID: image.volumeID ?? volumeID(for: fs.fileSetID))
            o.rockRidge = image.rockRidge; o.joliet = image.joliet; o.engine = image.engine
            o.application = "DICOM_MEDIA_\(Implementation.version.replacingOccurrences(of: ".", with: "_"))"
            if let inst = options.pdi?.institution { o.publisher = String(inst.uppercased().prefix(128)) }
            let total = copies.count
            let sizes = copies.reduce(Int64(dicomdir.count)) { $0 + Int64($1.size) }
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
                throw MediaError(.io, e.message, path: e.path.hasPrefix(tool) ? image.path : e.path, cause: e)
            }
            try moveWithoutReplacing(building, to: image.path)
            return
        }
        try makeDirectories(root)
        let tx = FileSetTransaction(operation: operation, copies: copies)
        try tx.run(root: root, dicomdir: dicomdir, progress: progress.map { p in { @Sendable in p("copying", $0, $1) } })
        let medium = Medium(root: root)
        for f in extra {
            do { try medium.createFile(try Medium.components(ofRelativePath: f.path), bytes: f.bytes, replace: true) } catch let e as MediumError { throw MediaError(e) }
        }
    }

    /// The volume identifier for a File-set ID: the ID itself (PS3.12 F.3.1), or DICOM when it is empty.
    public static func volumeID(for fileSetID: String) -> String { fileSetID.isEmpty ? "DICOM" : fileSetID }
}

extension FileSetCreator {
    /// A new File-set written straight into an ISO 9660 image (`create --iso`, through `createVolumes`).
    static func createImage(scan: SourceScan, options: FileSetOptions, progress: (@Sendable (String, Int, Int) -> Void)?, at path: String) throws -> FileSetReport {
        if isDirectory(path) { throw MediaError(.refused, "is a folder; --iso names the image file to write", path: path) }
        if isRegularFile(path) && !options.dryRun { throw MediaError(.refused, "already exists; it is never overwritten", path: path) }
        var report = FileSetReport(operation: "create", root: path)
        report.dryRun = options.dryRun
        if let v = options.image?.volumeID, let why = ISOWriter.volumeIDProblem(v) { throw MediaError(.badArgument, "--volume-id '\(v)' \(why)") }
        // One writer per image; its staging folder and partial image live in the private tool folder beside it.
        let lock = options.dryRun ? nil : try FileSetLock.acquire(image: path, wait: options.lockWait)
        defer { lock?.release() }
        if isRegularFile(path) && !options.dryRun { throw MediaError(.refused, "already exists; it is never overwritten", path: path) }
        let plan = try FileSetPlanner.plan(into: FileSet(fileSetID: options.fileSetID ?? ""), root: path, scan: scan, existingIDs: [],
                                           options: options, report: report, keepStaged: !options.dryRun)
        return try carryOut(plan, progress: progress)
    }
}

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
    public static func package(fileSet source: String, to output: String, volumeID: String?, rockRidge: Bool,
                               engine: ISOWriteOptions.Engine = .libisofs) throws -> Result {
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

/// Telling an image (ISO 9660, ZIP, tar) from a DICOMDIR; `ImageMedium` reads it in place.
public enum FileSetImage {
    /// Whether `path` is a file to read as an image rather than as a DICOMDIR: an ISO 9660 volume
    /// descriptor ("CD001" at byte 32769, ECMA-119 8.1) or an .iso/.zip/.tar name.
    public static func isImage(_ path: String) -> Bool {
        guard isRegularFile(path) else { return false }
        let lower = path.lowercased()
        if lower.hasSuffix(".iso") || lower.hasSuffix(".zip") || lower.hasSuffix(".tar") { return true }
        return hasVolumeDescriptor(path)
    }

    /// Whether the file starts an ISO 9660 volume: "CD001" at byte 32769 (ECMA-119 8.1).
    public static func hasVolumeDescriptor(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        try? h.seek(toOffset: 32769)
        return h.readData(ofLength: 5) == Data("CD001".utf8)
    }

    /// Refuses an .iso file without an ISO 9660 volume descriptor (libarchive would read it as an empty archive).
    static func checkImage(_ path: String) throws {
        let lower = path.lowercased()
        if !(lower.hasSuffix(".zip") || lower.hasSuffix(".tar")) && !hasVolumeDescriptor(path) {
            throw MediaError(.unreadable, "not an ISO 9660 image: no volume descriptor (\"CD001\") at byte 32769 (ECMA-119 8.1)", path: path)
        }
    }

}
