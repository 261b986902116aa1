import DICOMCore

/// Read-only access to the files of a File-set that is not a folder of the file system, e.g. an
/// ISO 9660 image read in place: the list of its regular files and their bytes, by path relative
/// to the File-set root ("/"-separated). Implementations never read outside the medium and are
/// safe to call from several threads at once.
public protocol FileSetFiles: Sendable {
    /// Every regular file of the medium, relative to its root, in a stable order.
    func filePaths() throws -> [String]
    /// The bytes of the file at `path` (as `filePaths()` gives it).
    func readFile(_ path: String) throws -> [UInt8]
    /// The first `count` bytes of the file (fewer when it is shorter).
    func readFilePrefix(_ path: String, count: Int) throws -> [UInt8]
}

/// File ID lookup over a file list (PS3.10 8.2, PS3.12): the exact path first, then a name that
/// differs in case, ISO 9660 version (";1"), trailing dot or a ".dcm" suffix, with `Medium`'s own
/// rules (``Medium/problem(_:)``, ``Medium/normalisedPath(_:)``): the one lookup for media that
/// are lists of files (an image read in place, a medium's scan).
public struct FileListResolver: Sendable {
    private let exact: Set<String>
    private let normalised: [String: String]

    public init(paths: [String]) {
        exact = Set(paths)
        var n: [String: String] = [:]
        for p in paths { let k = Medium.normalisedPath(p); if n[k] == nil { n[k] = p } }
        normalised = n
    }

    /// `.exact`/`.variant` carry the relative path found; a File ID that leaves the root is refused unread.
    public func resolve(_ id: FileID) -> Medium.Match {
        if id.components.isEmpty || Medium.problem(id) != nil { return .outsideRoot }
        if exact.contains(id.path) { return .exact(id.path) }
        if let p = normalised[Medium.normalisedPath(id.path)] { return .variant(p) }
        return .missing
    }
}
