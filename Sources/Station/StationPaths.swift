import FileSystem
import Foundation

// An API call, a watch or a job names a path; it is used only if it is absolute and plain (no `.` or `..` segment), lies
// under a configured root, and still does once every symbolic link in it is resolved (a link planted under a root that
// points out of it is refused). Jobs check their paths again when they run.
/// Checks the paths the station is asked to read or write.
public enum StationPaths {
    /// `path` (plain, existing) when it and its resolved form lie under one of `roots`; otherwise `path-outside-roots`.
    public static func checked(_ path: String, roots: [String]) throws(StationError) -> String {
        guard let plain = StationConfigReader.plainAbsolute(path) else {
            throw StationError(.pathOutsideRoots, "\"\(path)\" must be an absolute path without \".\" or \"..\" segments", path: path)
        }
        guard roots.contains(where: { StationConfigReader.isWithin(plain, $0) }) else {
            throw StationError(.pathOutsideRoots, "not under any of the station's roots (\(roots.joined(separator: ", ")))", path: plain)
        }
        guard let resolved = realPath(plain) else { throw StationError(.pathNotFound, "no such file or folder", path: plain) }
        let resolvedRoots = roots.compactMap(realPath)
        guard resolvedRoots.contains(where: { StationConfigReader.isWithin(resolved, $0) }) else {
            throw StationError(.pathOutsideRoots, "a symbolic link leads out of the station's roots, to \(resolved)", path: plain)
        }
        return plain
    }
}
