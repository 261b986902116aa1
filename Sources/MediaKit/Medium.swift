import DICOMFileSet
import DICOMStore
#if canImport(Glibc)
import Glibc
#endif

/// One file on a medium: its path relative to the medium's root ("/"-separated) and its size.
public struct MediumFile: Sendable, Hashable {
    public var path: String
    public var size: Int
    public init(path: String, size: Int) { self.path = path; self.size = size }
}

/// Read access to a removable medium (PS3.12): a mounted disc or folder, an ISO 9660 image, ...
/// Implementations must be safe to call from several threads at once (the import reads in parallel)
/// and must never read outside the medium.
public protocol MediumReader: Sendable {
    /// What the medium is, for reports: a folder path, or an image path.
    var location: String { get }
    /// "folder" or "iso": recorded as the provenance of stored instances.
    var kind: String { get }
    /// Every regular file on the medium, in a stable order; hidden names (".x") left out.
    func files() throws -> [MediumFile]
    /// The bytes of the file at `path` (relative, as `files()` gives it).
    func read(_ path: String) throws -> [UInt8]
    /// The first `count` bytes of the file (fewer when it is shorter): enough to tell a DICOM file
    /// from a viewer's executable without loading the whole of it.
    func readPrefix(_ path: String, count: Int) throws -> [UInt8]
}

extension MediumReader {
    public func readPrefix(_ path: String, count: Int) throws -> [UInt8] { Array(try read(path).prefix(count)) }
}

/// Where a File ID led on a medium (PS3.10 §8.2).
public enum MediumLookup: Sendable, Equatable {
    case exact(String)
    /// Found only under a name differing in case, ISO 9660 version (";1"), trailing dot or a ".dcm" suffix.
    case variant(String)
    case missing
    /// The File ID leaves the medium's root ("..", "/", ...): refused, nothing looked up.
    case outsideRoot
}

/// Case-insensitive File ID lookup over a medium's file list (PS3.12 media may carry lower-case or ";1" names).
public struct MediumIndex: Sendable {
    public let files: [MediumFile]
    private let exact: Set<String>
    private let normalised: [String: String]

    public init(files: [MediumFile]) {
        self.files = files
        exact = Set(files.map(\.path))
        var n: [String: String] = [:]
        for f in files {
            let key = MediumIndex.normalise(f.path)
            if n[key] == nil { n[key] = f.path }
        }
        normalised = n
    }

    public func lookup(_ id: FileID) -> MediumLookup {
        if id.escapesRoot || id.components.isEmpty { return .outsideRoot }
        if exact.contains(id.path) { return .exact(id.path) }
        if let p = normalised[MediumIndex.normalise(id.path)] { return .variant(p) }
        return .missing
    }

    /// Upper-cased components without ISO 9660 version or trailing dot; ".dcm"/".dic"/".dicom" dropped from the last.
    static func normalise(_ path: String) -> String {
        let comps = path.split(separator: "/")
        return comps.enumerated().map { i, c -> String in
            var n = Substring(c.uppercased())
            if let semi = n.lastIndex(of: ";"), n[n.index(after: semi)...].allSatisfy(\.isNumber) { n = n[..<semi] }
            if i == comps.count - 1 {
                for suffix in [".DCM", ".DICOM", ".DIC"] where n.hasSuffix(suffix) { n = n.dropLast(suffix.count); break }
            }
            if n.hasSuffix(".") { n = n.dropLast() }
            return String(n)
        }.joined(separator: "/")
    }
}

/// A folder (mounted disc, USB stick, copy of a medium) read through the file system. Symbolic links
/// that resolve outside the root are left out: nothing outside the medium is read.
public struct FolderMedium: MediumReader {
    public let root: String
    /// When set, the medium is just these files (relative paths), e.g. a single file given as SOURCE.
    public let only: [String]?
    public var location: String { root }
    public var kind: String { "folder" }

    public init(root: String, only: [String]? = nil) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r; self.only = only
    }

    public func files() throws -> [MediumFile] {
        guard let realRoot = realPath(root), isDirectory(realRoot) else {
            throw MediaError(.notFound, "no such folder", path: root)
        }
        let prefix = realRoot == "/" ? "/" : realRoot + "/"
        func inside(_ p: String) -> Bool { realPath(p).map { $0.hasPrefix(prefix) } ?? false }
        if let only {
            return only.filter { inside(root + "/" + $0) && isRegularFile(root + "/" + $0) }
                .map { MediumFile(path: $0, size: fileSize(root + "/" + $0)) }
        }
        var out: [MediumFile] = []
        for full in InstanceScanner.walk(root) where inside(full) {
            out.append(MediumFile(path: String(full.dropFirst(root.count + 1)), size: fileSize(full)))
        }
        return out
    }

    public func read(_ path: String) throws -> [UInt8] {
        let id = FileID(path: path)
        if id.escapesRoot { throw MediaError(.refused, "path leaves the medium's root; not read", path: path) }
        return try readWholeFile(root + "/" + path)
    }

    public func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        if FileID(path: path).escapesRoot { throw MediaError(.refused, "path leaves the medium's root; not read", path: path) }
        let fd = open(root + "/" + path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw MediaError(.unreadable, "cannot open: \(String(cString: strerror(errno)))", path: path) }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        return Array(buf.prefix(done))
    }
}

