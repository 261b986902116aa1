import DICOMCore

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
