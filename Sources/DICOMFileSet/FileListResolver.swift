import DICOMCore

/// File ID lookup over a file list (PS3.10 8.2, PS3.12): the exact path first, then a name that
/// differs in case, ISO 9660 version (";1"), trailing dot or a ".dcm" suffix, with `Medium`'s own
/// rules (``Medium/problem(_:)``, ``Medium/normalisedPath(_:)``): the one lookup for media that
/// are lists of files (an image read in place, a medium's scan).
///
/// The paths are found by their hashes (``KeyTable``), confirmed against the list: no normalised copy of each path
/// is held.
public struct FileListResolver: Sendable {
    private let paths: [String]
    private var exact = KeyTable<String, Int32>()
    /// ``Medium/normalisedPath(_:)`` -> the first path with it.
    private var normalised = KeyTable<String, Int32>()

    public init(paths: [String]) { self.init(paths: paths, hash: nil) }

    /// `hash` replaces the paths' hash (a test makes every path collide).
    init(paths: [String], hash: (@Sendable (String) -> Int)?) {
        self.paths = paths
        if let hash { exact.hash = hash; normalised.hash = hash }
        exact.reserve(paths.count)
        normalised.reserve(paths.count)
        for (i, p) in paths.enumerated() {
            exact.add(p, Int32(i)) { paths[Int($0)] }
            normalised.add(Medium.normalisedPath(p), Int32(i)) { Medium.normalisedPath(paths[Int($0)]) }
        }
    }

    /// `.exact`/`.variant` carry the relative path found; a File ID that leaves the root is refused unread.
    public func resolve(_ id: FileID) -> Medium.Match {
        if id.components.isEmpty || Medium.problem(id) != nil { return .outsideRoot }
        let path = id.path
        if exact.find(path, keyAt: { paths[Int($0)] }) != nil { return .exact(path) }
        if let i = normalised.find(Medium.normalisedPath(path), keyAt: { Medium.normalisedPath(paths[Int($0)]) }) { return .variant(paths[Int(i)]) }
        return .missing
    }
}
