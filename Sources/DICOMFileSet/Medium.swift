#if canImport(Glibc)
import Glibc
#endif
import Foundation
import DICOMCore
import FileSystem
import Synchronization

/// The guarded medium (PS3.10 §8.2, PS3.12): the one place where File IDs and relative paths of a
/// File-set become files. Every reader and writer goes through it, and it enforces:
/// - a component is never empty, ".", "..", absolute, nor carries "/", "\\", ":" or NUL;
/// - reading: a file is used only when its real path (symbolic links resolved) is under the real
///   root; links inside the root are followed, links out of it and loops are skipped;
/// - writing (folders, files, renames, deletions) walks from a root directory descriptor with
///   `openat(O_NOFOLLOW|O_DIRECTORY)`: no symbolic link is followed at all, so a linked `DICOM/`,
///   patient folder or file cannot redirect a write or a deletion.
/// The PS3.12 lookup of a File ID (exact name first, then a name differing only in case, an ISO 9660
/// version ";1", a trailing dot, or a ".dcm"/".dic"/".dicom" suffix) is implemented here only.
/// Safe to use from several threads at once (directory listings are cached under a mutex).
public final class Medium: Sendable {
    /// The root folder as given (no trailing slash).
    public let root: String
    /// The root with symbolic links resolved ("" when it does not exist).
    public let realRoot: String
    private let listings = Mutex<[String: [String]]>([:])

    public init(root: String) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
        realRoot = realPath(r) ?? ""
    }

    // MARK: Names

    /// Why `component` cannot be a path component on the medium, or nil when it can.
    public static func componentProblem(_ c: String) -> String? {
        // Fast path, one scan of the bytes: none of "/", "\\", ":", NUL, no leading "~", not "." or "..".
        let u = c.utf8
        if let f = u.first, f != UInt8(ascii: "~"), f != UInt8(ascii: ".") || (c != "." && c != ".."),
            !u.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: ":") || $0 == 0 })
        {
            return nil
        }
        if c.isEmpty { return "an empty component" }
        if c == "." || c == ".." { return "a '\(c)' component" }
        if c.contains("/") { return "a '/' inside component '\(c)'" }
        if c.contains("\\") { return "a '\\' inside component '\(c)'" }
        if c.contains(":") { return "a ':' (drive) inside component '\(c)'" }
        if c.hasPrefix("~") { return "component '\(c)' starts with '~'" }
        if c.utf8.contains(0) { return "a NUL inside component '\(c)'" }
        return nil
    }

    /// Why these components cannot name a file under the root (none, or a bad component), or nil.
    public static func pathProblem(_ components: [String]) -> String? {
        if components.isEmpty { return "no component" }
        for c in components { if let why = componentProblem(c) { return why } }
        return nil
    }

    /// Why this File ID would leave the root, or nil when it is a legal path inside it (PS3.10 §8.2).
    public static func problem(_ id: FileID) -> String? { pathProblem(id.components) }

    /// Components of a "/"-separated relative path, refused when one is illegal (an absolute path has an empty first component).
    public static func components(ofRelativePath path: String) throws -> [String] {
        let comps = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if let why = pathProblem(comps) { throw MediumError(.refused, "leaves the medium's root: \(why)", path: path) }
        return comps
    }

    /// A name upper-cased, without ISO 9660 version (";1") or trailing dot; a file's ".dcm"/".dicom"/".dic" suffix dropped (PS3.12).
    public static func normalise(_ name: String, file: Bool) -> String {
        var n = Substring(name.uppercased())
        if let semi = n.lastIndex(of: ";"), n[n.index(after: semi)...].allSatisfy(\.isNumber) { n = n[..<semi] }
        if file {
            for suffix in [".DCM", ".DICOM", ".DIC"] where n.hasSuffix(suffix) { n = n.dropLast(suffix.count); break }
        }
        if n.hasSuffix(".") { n = n.dropLast() }
        return String(n)
    }

    /// `normalise` of every component of a "/"-separated relative path (the last one as a file).
    public static func normalisedPath(_ path: String) -> String {
        let comps = path.split(separator: "/")
        return comps.enumerated().map { normalise(String($1), file: $0 == comps.count - 1) }.joined(separator: "/")
    }

    // MARK: Reading

    /// Where a File ID led (PS3.10 §8.2).
    public enum Match: Sendable, Equatable {
        /// The File ID names the file exactly.
        case exact(String)
        /// Found under a variant name (case, ";1", trailing dot, suffix); the actual path is given.
        case variant(String)
        case missing
        /// The File ID leaves the root, or the file it names is a link out of it: nothing is read.
        case outsideRoot
    }

    /// Finds the file a File ID names; the path returned is under the root and its real path too.
    public func resolve(_ id: FileID) -> Match {
        if Medium.problem(id) != nil { return .outsideRoot }
        let exact = root + "/" + id.path
        switch locate(exact) {
        case .inside(let real): if isRegularFile(real) { return .exact(exact) }
        case .outside, .loop: return .outsideRoot
        case .missing: break
        }
        var dir = root
        for (i, comp) in id.components.enumerated() {
            let last = i == id.components.count - 1
            guard let name = match(comp, in: dir, file: last) else { return .missing }
            dir += "/" + name
        }
        guard let real = resolveInside(dir) else { return .outsideRoot }
        return isRegularFile(real) ? .variant(dir) : .missing
    }

    /// The path to use, or nil when missing or outside the root.
    public func path(_ id: FileID) -> String? {
        switch resolve(id) {
        case .exact(let p), .variant(let p): return p;
        default: return nil
        }
    }

    /// `resolve` of many File IDs at once, in order: each folder on the way is located once, then
    /// a File ID naming a regular file exactly costs one `lstat`; anything else (a link, a variant
    /// name, a missing file) is looked up by `resolve` itself, so the answers are the same.
    public func resolveAll(_ ids: [FileID]) -> [Match] { resolveAllWithRealPaths(ids).map(\.match) }

    /// `resolveAll`, with the real path (symbolic links resolved, as `realPath` gives it) of each
    /// file found exactly by the fast path; nil for the others.
    public func resolveAllWithRealPaths(_ ids: [FileID]) -> [(match: Match, real: String?)] {
        var folders: [ArraySlice<String>: Location] = [:]
        func join(_ up: String, _ name: String) -> String { up == "/" ? "/" + name : up + "/" + name }
        /// `locate` of a folder, from its parent's answer: one `lstat` when the name is a folder
        /// (not a link) in a folder inside the root, else `locate` itself.
        func folder(_ comps: ArraySlice<String>) -> Location {
            if let l = folders[comps] { return l }
            var l: Location?
            if let name = comps.last, case .inside(let up) = folder(comps.dropLast()) {
                var st = stat()
                if lstat(join(up, name), &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { l = .inside(join(up, name)) }
            }
            let found = l ?? locate(comps.isEmpty ? root : root + "/" + comps.joined(separator: "/"))
            folders[comps] = found
            return found
        }
        return ids.map { id in
            guard let name = id.components.last, Medium.problem(id) == nil else { return (resolve(id), nil) }
            if case .inside(let up) = folder(id.components.dropLast()) {
                var st = stat()
                let real = join(up, name)
                if lstat(real, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG { return (.exact(root + "/" + id.path), real) }
            }
            return (resolve(id), nil)
        }
    }

    /// Whether `path` exists and its real path (symbolic links resolved) is the root or under it.
    public func contains(_ path: String) -> Bool { resolveInside(path) != nil }

    /// Where a path under the root really leads.
    public enum Location: Sendable, Equatable {
        /// Its real path, the root or under it.
        case inside(String)
        case missing
        /// A symbolic link on the way leads out of the root (or the path is not under it).
        case outside
        /// More than 40 symbolic links: a loop.
        case loop
    }

    /// The real path of `path` (given as `root/...` or as a real path under the real root), or nil
    /// when it is missing, loops, or leaves the root (see ``locate(_:)``).
    public func resolveInside(_ path: String) -> String? {
        if case .inside(let p) = locate(path) { return p }
        return nil
    }

    /// Resolves links one component at a time; only names under the real root are ever looked at
    /// (lstat, readlink): a link out of the root is detected without a system call on its target.
    public func locate(_ path: String) -> Location {
        guard !realRoot.isEmpty else { return .missing }
        // A NUL would cut the name the kernel sees ("..\0x" is ".."): never a name on the medium.
        if path.utf8.contains(0) { return .outside }
        let rootComps = realRoot.split(separator: "/").map(String.init)
        var rel: Substring
        if path == root || path == realRoot {
            rel = ""
        } else if path.hasPrefix(root == "/" ? "/" : root + "/") {
            rel = path.dropFirst(root == "/" ? 1 : root.count + 1)
        } else if path.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") {
            rel = path.dropFirst(realRoot == "/" ? 1 : realRoot.count + 1)
        } else {
            return .outside
        }
        var stack = rootComps
        var pending = rel.split(separator: "/").map(String.init)[...]
        var links = 0
        while let c = pending.first {
            pending = pending.dropFirst()
            if c == "." { continue }
            if c == ".." { if !stack.isEmpty { stack.removeLast() }; continue }
            stack.append(c)
            if stack.count <= rootComps.count {
                // The root or one of its (real) ancestors: nothing to look up; anything else is outside.
                if stack[...] == rootComps.prefix(stack.count) { continue }
                return .outside
            }
            guard stack.prefix(rootComps.count).elementsEqual(rootComps) else { return .outside }
            let p = "/" + stack.joined(separator: "/")
            var st = stat()
            guard lstat(p, &st) == 0 else { return .missing }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                links += 1
                if links > 40 { return .loop }
                guard let target = Medium.readLink(p) else { return .missing }
                stack.removeLast()
                if target.hasPrefix("/") { stack = [] }
                pending = (target.split(separator: "/").map(String.init) + pending)[...]
            } else if !pending.isEmpty && (st.st_mode & S_IFMT) != S_IFDIR {
                return .missing
            }
        }
        guard stack.count >= rootComps.count, stack.prefix(rootComps.count).elementsEqual(rootComps) else { return .outside }
        return .inside("/" + stack.joined(separator: "/"))
    }

    /// Whether the path (a link under the root) leads out of the root; false when it leads to
    /// nothing or loops. Its target is never touched.
    public func leavesRoot(_ path: String) -> Bool { locate(path) == .outside }

    /// The entry of `dir` whose name matches `component` (exactly first, then as `normalise` does).
    public func match(_ component: String, in dir: String, file: Bool) -> String? {
        let names = listing(dir)
        if names.contains(component) { return component }
        let want = Medium.normalise(component, file: file)
        for n in names where Medium.normalise(n, file: file) == want { return n }
        return nil
    }

    /// The sorted names in `dir` ("." and ".." left out), cached; empty when it cannot be read or leaves the root.
    public func listing(_ dir: String) -> [String] {
        if let l = listings.withLock({ $0[dir] }) { return l }
        var names = contains(dir) ? folderNames(dir) : []
        names.sort()
        listings.withLock { $0[dir] = names }
        return names
    }

    /// Opens a file under the root for reading. The path (absolute under the root, or relative to
    /// it) must be inside the root and so must its real path; the file must be a regular file.
    /// What was opened is checked again through /proc, so a link swapped in meanwhile is refused.
    public func openForReading(_ path: String) throws -> Int32 {
        let full = path.hasPrefix("/") ? path : root + "/" + path
        if !full.hasPrefix(root == "/" ? "/" : root + "/") {
            throw MediumError(.refused, "not under the medium's root \(root); not read", path: path)
        }
        _ = try Medium.components(ofRelativePath: String(full.dropFirst(root == "/" ? 1 : root.count + 1)))
        let real: String
        switch locate(full) {
        case .inside(let p): real = p
        case .missing: throw MediumError(.missing, "cannot open: no such file", path: path)
        case .outside, .loop: throw MediumError(.refused, "is (or goes through) a symbolic link out of the medium's root, or a loop; not read", path: path)
        }
        let fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw MediumError(.io, "cannot open: \(String(cString: strerror(errno)))", path: path) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd); throw MediumError(.refused, "not a regular file; not read", path: path)
        }
        if let opened = Medium.fdPath(fd), opened != real {
            close(fd); throw MediumError(.refused, "changed while being opened (now \(opened)); not read", path: path)
        }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        return fd
    }

    /// The whole of a file under the root (see `openForReading`).
    public func read(_ path: String) throws -> [UInt8] {
        let fd = try openForReading(path)
        defer { close(fd) }
        return try Medium.readAll(fd, path: path, limit: Int.max)
    }

    /// At most `count` first bytes of a file under the root.
    public func readPrefix(_ path: String, count: Int) throws -> [UInt8] {
        let fd = try openForReading(path)
        defer { close(fd) }
        return try Medium.readAll(fd, path: path, limit: count)
    }

    static func readAll(_ fd: Int32, path: String, limit: Int) throws -> [UInt8] {
        var st = stat()
        let size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
        let want = min(limit, max(size, 0))
        guard want > 0 else { return [] }
        var failure: Int32 = 0
        // Read into uninitialised memory: no zero fill of a buffer the read overwrites.
        let out = [UInt8](unsafeUninitializedCapacity: want) { buf, initialized in
            var done = 0
            while done < want {
                let n = Glibc.read(fd, buf.baseAddress! + done, want - done)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno; break }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        if failure != 0 { throw MediumError(.io, "cannot read: \(String(cString: strerror(failure)))", path: path) }
        return out
    }

    static func fdPath(_ fd: Int32) -> String? { readLink("/proc/self/fd/\(fd)") }

    /// The target of the symbolic link `path` (readlink(2)), or nil when it is not one or is unreadable.
    static func readLink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buf, 4096)
        guard n > 0 else { return nil }
        return String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// What a walk of a folder found: files (under the root, in sorted order) and links it skipped.
    public struct Walk: Sendable {
        public var files: [String] = []
        /// Symbolic links that leave the root, loops, and unreadable folders: (path, why), not followed.
        public var skipped: [(path: String, reason: String)] = []
    }

    /// Every regular file under `dir` (default: the root), recursively, sorted; hidden names (".x")
    /// skipped. A link to a file or folder inside the root is followed; a link out of it and a link
    /// back to a folder being walked (a loop) are skipped and listed.
    public func walk(_ dir: String? = nil, maxDepth: Int = 64) -> Walk {
        var w = Walk()
        var onPath = Set<String>()
        // `known`: the real path of `dir` when it was reached by a name that is not a link (its parent's and its name).
        func visit(_ dir: String, known: String? = nil, depth: Int) {
            guard let real = known ?? realPath(dir) else { return }
            onPath.insert(real)
            defer { onPath.remove(real) }
            var names: [String] = []
            if let all = readFolder(dir) {
                names = all.filter { !$0.hasPrefix(".") }
            } else {
                w.skipped.append((dir, "cannot read the folder: \(String(cString: strerror(errno)))"))
                return
            }
            names.sort()
            for n in names {
                let full = dir + "/" + n
                var st = stat()
                guard lstat(full, &st) == 0 else { continue }
                var kind = st.st_mode & S_IFMT
                let link = kind == S_IFLNK
                if link {
                    guard let target = resolveInside(full) else {
                        w.skipped.append(
                            (
                                full,
                                locate(full) == .outside ? "symbolic link out of \(root); not followed" : "symbolic link to nothing (or a loop); not followed"
                            ))
                        continue
                    }
                    var t = stat()
                    guard stat(target, &t) == 0 else { continue }
                    kind = t.st_mode & S_IFMT
                    if kind == S_IFDIR && onPath.contains(target) { w.skipped.append((full, "symbolic link loop; not followed")); continue }
                }
                if kind == S_IFDIR {
                    if depth >= maxDepth { w.skipped.append((full, "more than \(maxDepth) folders deep; not read")); continue }
                    visit(full, known: link ? nil : (real == "/" ? "" : real) + "/" + n, depth: depth + 1)
                } else if kind == S_IFREG {
                    w.files.append(full)
                }
            }
        }
        visit(dir ?? root, depth: 0)
        return w
    }
}
