import FileSystem
import DICOMFileSet
import DICOMIO
#if canImport(Glibc)
import Glibc
#endif

/// A folder (mounted disc, USB stick, copy of a medium) read through the guarded ``Medium``: a link
/// to a file or folder inside the root is followed; one that leaves it, or loops, is skipped and
/// listed; nothing outside the medium is read.
public struct FolderMedium: MediumReader {
    public let root: String
    /// When set, the medium is just these files (relative paths), e.g. a single file given as SOURCE.
    public let only: [String]?
    public let medium: Medium
    public var location: String { root }
    public var kind: String { "folder" }

    public init(root: String, only: [String]? = nil) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r; self.only = only
        medium = Medium(root: r)
    }

    public func files() throws -> [MediumFile] { try scan().files }

    public func scan() throws -> MediumScan {
        guard !medium.realRoot.isEmpty, isDirectory(medium.realRoot) else {
            throw MediaError(.notFound, "no such folder", path: root)
        }
        let prefix = root == "/" ? "/" : root + "/"
        if let only {
            var s = MediumScan()
            for p in only {
                guard Medium.pathProblem(p.split(separator: "/", omittingEmptySubsequences: false).map(String.init)) == nil,
                    medium.contains(prefix + p)
                else { s.skipped.append((prefix + p, "leaves \(root); not read")); continue }
                if isRegularFile(prefix + p) { s.files.append(MediumFile(path: p, size: fileSize(prefix + p))) }
            }
            return s
        }
        let w = medium.walk()
        return MediumScan(files: w.files.map { MediumFile(path: String($0.dropFirst(prefix.count)), size: fileSize($0)) }, skipped: w.skipped)
    }

    public func read(_ path: String) throws -> [UInt8] {
        do { return try medium.read(path) } catch let e as MediumError { throw MediaError(e) }
    }

    /// Parsed through a window of the file opened by the guarded medium: its bytes are never all held at once.
    public func readDICOM(_ path: String, options: ReadOptions) throws -> DICOMFile {
        let fd: Int32
        do { fd = try medium.openForReading(path) } catch let e as MediumError { throw MediaError(e) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw MediaError(.unreadable, "cannot read: \(SystemErrno.current("fstat").text)", path: path) }
        return try Part10Reader.read(region: FileRegion(fd: fd, offset: 0, size: Int(st.st_size)), path: path, options: options)
    }

    public func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        do { return try medium.readPrefix(path, count: count) } catch let e as MediumError { throw MediaError(e) }
    }
}
