import DICOMCore
import DICOMFileSet
import DICOMIO
import MediaImage

/// An ISO 9660 image (or ZIP/tar archive) read as a medium in place, without mounting or unpacking
/// it (PS3.12 Annex F): an ISO image through `ISO9660Reader` (directory tree once, file data with
/// pread by extent), a ZIP or tar archive through libarchive, one pass per file read (data of the
/// other entries skipped). Nothing is written anywhere. A truncated image is salvaged: every file
/// inside the image is listed and read, the rest reported in `problems`.
public final class ImageMedium: MediumReader, Sendable {
    public let location: String
    public var kind: String { iso != nil ? "iso" : location.lowercased().hasSuffix(".zip") ? "zip" : "tar" }
    private let iso: ISO9660Reader?
    private let archive: ArchiveReader?
    private let listing: [MediumFile]
    private let isoFiles: [String: ISOFile]
    /// Each listed archive entry's header offset (-1 when unknown): a read goes to its entry, not through those before it.
    private let entryOffsets: [String: Int64]
    /// What could not be read from the image (entries beyond the end of a truncated image, symbolic
    /// links, unsafe names), each an error: the medium is read only in part.
    public let problems: [FileSetProblem]

    public init(image: String) throws {
        location = image
        try FileSetImage.checkImage(image)
        let lower = image.lowercased()
        do {
            if lower.hasSuffix(".zip") || lower.hasSuffix(".tar") {
                let a = try ArchiveReader(path: image)
                var files: [MediumFile] = [], problems: [FileSetProblem] = []
                var offsets: [String: Int64] = [:]
                for e in try a.entries() where !e.isDirectory {
                    let parts = e.path.split(separator: "/", omittingEmptySubsequences: false)
                    if e.path.hasPrefix("/") || parts.contains(where: { $0.isEmpty || $0 == ".." || $0 == "." || $0.contains("\0") }) {
                        problems.append(
                            FileSetProblem(.error, .imageEntryRefused, "entry leaves the archive's root; not read", fileID: e.path, rule: "dicom-media medium"))
                        continue
                    }
                    if parts.contains(where: { $0.hasPrefix(".") }) { continue }
                    if e.isSpecial {
                        problems.append(
                            FileSetProblem(
                                .error, .imageEntryRefused, "a link or special file, not a regular file; not followed", fileID: e.path,
                                rule: "dicom-media medium"))
                        continue
                    }
                    files.append(MediumFile(path: e.path, size: Int(e.size)))
                    if offsets[e.path] == nil { offsets[e.path] = e.headerOffset ?? -1 }  // the first of a repeated name, as `read` finds
                }
                archive = a; iso = nil; isoFiles = [:]; entryOffsets = offsets
                listing = files; self.problems = problems
            } else {
                let r = try ISO9660Reader(path: image)
                iso = r; archive = nil
                var byPath: [String: ISOFile] = [:]
                var files: [MediumFile] = []
                for f in r.files where !f.path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) && byPath[f.path] == nil {
                    byPath[f.path] = f
                    files.append(MediumFile(path: f.path, size: Int(f.size)))
                }
                isoFiles = byPath; listing = files; entryOffsets = [:]
                problems = Self.problems(of: r)
            }
        } catch let e as ImageError {
            throw MediaError(.unreadable, e.message, path: e.path, cause: e)
        }
    }

    /// One error naming where a truncated image ends and how many entries lie beyond it, then one
    /// per entry not read.
    static func problems(of r: ISO9660Reader) -> [FileSetProblem] {
        var out: [FileSetProblem] = []
        let beyond = r.skipped.filter(\.beyondEnd)
        if let end = r.truncatedAt {
            if beyond.isEmpty {
                out.append(
                    FileSetProblem(
                        .warning, .imageTruncated,
                        "image ends at byte \(end), before the end of its volume (byte \(r.volumeSize)); only padding is lost, every entry reads",
                        rule: "ECMA-119 8.4.8"))
            } else {
                out.append(
                    FileSetProblem(
                        .error, .imageTruncated, "image ends at byte \(end); \(beyond.count) entr\(beyond.count == 1 ? "y" : "ies") beyond it not read",
                        rule: "ECMA-119 8.4.8"))
            }
        }
        for s in r.skipped {
            let link = s.reason.hasPrefix("symbolic link")
            out.append(
                FileSetProblem(
                    .error, s.beyondEnd ? .imageEntryBeyondEnd : .imageEntryRefused, s.reason, fileID: s.path,
                    rule: link ? "IEEE P1282 (RRIP) SL; links are not followed out of the medium" : "ECMA-119 9.1"))
        }
        return out
    }

    public func files() throws -> [MediumFile] { listing }

    public func read(_ path: String) throws -> [UInt8] {
        if let iso {
            guard let f = isoFiles[path] else { throw MediaError(.notFound, "no such file in the image", path: location + ":" + path) }
            do { return try iso.read(f) } catch let e as ImageError { throw MediaError(.unreadable, e.message, path: e.path, cause: e) }
        }
        guard let offset = entryOffsets[path], let archive else {
            throw MediaError(.notFound, "no such file in the archive", path: location + ":" + path)
        }
        // Straight to the entry when its offset is known (a read per file, not a pass over the archive per file).
        if offset >= 0, let bytes = archive.read(path, at: offset) { return bytes }
        do { return try archive.read(path) } catch let e as ImageError { throw MediaError(.unreadable, e.message, path: e.path, cause: e) }
    }

    /// A file of an ISO image in one extent is parsed in place (a window of the image); others from their bytes.
    public func readDICOM(_ path: String, options: ReadOptions) throws -> DICOMFile {
        guard let r = region(path) else { return try Part10Reader.read(bytes: try read(path), path: path, options: options) }
        return try Part10Reader.read(region: r, path: path, options: options)
    }

    /// Where a file of an ISO image lies in the image file, when in one extent (ECMA-119 6.5), for
    /// reading it in place; nil for a multi-extent file, an archive entry or an unknown path.
    public func region(_ path: String) -> FileRegion? {
        guard let iso, let fd = iso.fileDescriptor, let f = isoFiles[path], f.extents.count == 1, let e = f.extents.first else { return nil }
        return FileRegion(fd: fd, offset: e.lowerBound, size: Int(e.upperBound - e.lowerBound))
    }

    public func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        if let iso {
            guard let f = isoFiles[path] else { throw MediaError(.notFound, "no such file in the image", path: location + ":" + path) }
            do { return try iso.readPrefix(f, count: count) } catch let e as ImageError { throw MediaError(.unreadable, e.message, path: e.path, cause: e) }
        }
        return Array(try read(path).prefix(count))
    }
}
