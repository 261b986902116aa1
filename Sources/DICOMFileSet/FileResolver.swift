#if canImport(Glibc)
import Glibc
#endif
import DICOMCore

/// Finds the file a File ID names under a File-set root (PS3.10 §8.2, PS3.12 §A/F): exact name
/// first, then names that differ only in case, carry an ISO 9660 version (";1") or trailing dot,
/// or a ".dcm" suffix. Never resolves outside the root. Not thread-safe: use one per thread.
public final class FileResolver {
    public let root: String
    private var listings: [String: [String]] = [:]

    public init(root: String) { self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root }

    public enum Match: Sendable, Equatable {
        /// The File ID names the file exactly.
        case exact(String)
        /// Found under a variant name (case, suffix); the actual path is given.
        case variant(String)
        case missing
        /// The File ID would leave the File-set root; nothing was looked up.
        case outsideRoot
    }

    public func resolve(_ id: FileID) -> Match {
        if id.escapesRoot || id.components.isEmpty { return .outsideRoot }
        let exact = root + "/" + id.path
        if isRegularFile(exact) { return inside(exact) ? .exact(exact) : .outsideRoot }
        var dir = root
        for (i, comp) in id.components.enumerated() {
            let last = i == id.components.count - 1
            guard let name = match(comp, in: dir, file: last) else { return .missing }
            dir += "/" + name
        }
        guard isRegularFile(dir) else { return .missing }
        return inside(dir) ? .variant(dir) : .outsideRoot
    }

    private lazy var realRoot: String = realPath(root) ?? root

    /// A symbolic link may point out of the File-set: the resolved path must stay under the root.
    func inside(_ path: String) -> Bool {
        guard let real = realPath(path) else { return false }
        return real.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/")
    }

    /// The path to use, or nil when missing or outside the root.
    public func path(_ id: FileID) -> String? {
        switch resolve(id) { case .exact(let p), .variant(let p): return p; default: return nil }
    }

    func match(_ component: String, in dir: String, file: Bool) -> String? {
        let names = listing(dir)
        let want = component.uppercased()
        for n in names where normalise(n, file: file) == want && n != "." && n != ".." { return n }
        return nil
    }

    func normalise(_ name: String, file: Bool) -> String {
        var n = Substring(name.uppercased())
        if let semi = n.lastIndex(of: ";"), n[n.index(after: semi)...].allSatisfy(\.isNumber) { n = n[..<semi] }
        if file {
            for suffix in [".DCM", ".DICOM", ".DIC"] where n.hasSuffix(suffix) { n = n.dropLast(suffix.count); break }
        }
        if n.hasSuffix(".") { n = n.dropLast() }
        return String(n)
    }

    func listing(_ dir: String) -> [String] {
        if let l = listings[dir] { return l }
        var names: [String] = []
        if let d = opendir(dir) {
            while let ent = readdir(d) {
                let name = withUnsafePointer(to: ent.pointee.d_name) { p in
                    p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                names.append(name)
            }
            closedir(d)
        }
        names.sort()
        listings[dir] = names
        return names
    }
}

/// Whether `path` is a regular file (following symlinks).
public func isRegularFile(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}
/// Whether `path` is a directory.
public func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}

/// The canonical absolute path (symbolic links resolved), or nil.
public func realPath(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
}
