#if canImport(Glibc)
import Glibc
#endif
import Foundation
import DICOMCore
import FileSystem

/// A refusal or failure of the guarded medium: what was asked, on which path (relative to the root when it is inside).
public struct MediumError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case refused, missing, io }
    public var kind: Kind
    public var message: String
    public var path: String
    public init(_ kind: Kind, _ message: String, path: String) { self.kind = kind; self.message = message; self.path = path }
    public var description: String { path + ": " + message }
}

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
/// Safe to use from several threads at once (directory listings are cached under a lock).
public final class Medium: @unchecked Sendable {
    /// The root folder as given (no trailing slash).
    public let root: String
    /// The root with symbolic links resolved ("" when it does not exist).
    public let realRoot: String
    private let lock = NSLock()
    private var listings: [String: [String]] = [:]

    public init(root: String) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
        realRoot = realPath(r) ?? ""
    }

    // MARK: Names

    /// Why `component` cannot be a path component on the medium, or nil when it can.
    public static func componentProblem(_ c: String) -> String? {
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
        switch resolve(id) { case .exact(let p), .variant(let p): return p; default: return nil }
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
        if path == root || path == realRoot { rel = "" }
        else if path.hasPrefix(root == "/" ? "/" : root + "/") { rel = path.dropFirst(root == "/" ? 1 : root.count + 1) }
        else if path.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") { rel = path.dropFirst(realRoot == "/" ? 1 : realRoot.count + 1) }
        else { return .outside }
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
                var buf = [CChar](repeating: 0, count: 4097)
                let n = readlink(p, &buf, 4096)
                guard n > 0 else { return .missing }
                buf[n] = 0
                let target = String(cString: buf)
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
        lock.lock()
        if let l = listings[dir] { lock.unlock(); return l }
        lock.unlock()
        var names = contains(dir) ? folderNames(dir) : []
        names.sort()
        lock.lock(); listings[dir] = names; lock.unlock()
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
        var out = [UInt8](repeating: 0, count: min(limit, max(size, 0)))
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw MediumError(.io, "cannot read: \(String(cString: strerror(errno)))", path: path) }
            if n == 0 { break }
            done += n
        }
        return done == out.count ? out : Array(out.prefix(done))
    }

    static func fdPath(_ fd: Int32) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = readlink("/proc/self/fd/\(fd)", &buf, 4096)
        guard n > 0 else { return nil }
        buf[n] = 0
        return String(cString: buf)
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
        func visit(_ dir: String, depth: Int) {
            guard let real = realPath(dir) else { return }
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
                if kind == S_IFLNK {
                    guard let target = resolveInside(full) else {
                        w.skipped.append((full, locate(full) == .outside ? "symbolic link out of \(root); not followed" : "symbolic link to nothing (or a loop); not followed"))
                        continue
                    }
                    var t = stat()
                    guard stat(target, &t) == 0 else { continue }
                    kind = t.st_mode & S_IFMT
                    if kind == S_IFDIR && onPath.contains(target) { w.skipped.append((full, "symbolic link loop; not followed")); continue }
                }
                if kind == S_IFDIR {
                    if depth >= maxDepth { w.skipped.append((full, "more than \(maxDepth) folders deep; not read")); continue }
                    visit(full, depth: depth + 1)
                } else if kind == S_IFREG {
                    w.files.append(full)
                }
            }
        }
        visit(dir ?? root, depth: 0)
        return w
    }

    // MARK: Writing (no symbolic link is ever followed)

    /// A descriptor of the root folder.
    func openRoot() throws -> Int32 {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw MediumError(errno == ENOENT ? .missing : .io, "cannot open the folder: \(String(cString: strerror(errno)))", path: root) }
        return fd
    }

    /// A descriptor of the folder `components` under the root, walked with O_NOFOLLOW (created when asked).
    public func openFolder(_ components: [String], create: Bool) throws -> Int32 {
        if !components.isEmpty, let why = Medium.pathProblem(components) {
            throw MediumError(.refused, "leaves the medium's root: \(why)", path: components.joined(separator: "/"))
        }
        var fd = try openRoot()
        for (i, c) in components.enumerated() {
            if create && mkdirat(fd, c, 0o755) != 0 && errno != EEXIST {
                let e = errno; close(fd)
                throw MediumError(.io, "cannot create folder: \(String(cString: strerror(e)))", path: relative(components[...i]))
            }
            let next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let e = errno
            close(fd)
            if next < 0 {
                if e == ENOENT { throw MediumError(.missing, "no such folder", path: relative(components[...i])) }
                if e == ELOOP || e == ENOTDIR {
                    throw MediumError(.refused, "is a symbolic link or not a folder; nothing is written through it", path: relative(components[...i]))
                }
                throw MediumError(.io, "cannot open the folder: \(String(cString: strerror(e)))", path: relative(components[...i]))
            }
            fd = next
        }
        return fd
    }

    func relative(_ comps: ArraySlice<String>) -> String { root + "/" + comps.joined(separator: "/") }

    /// Calls `body` with the descriptor of the parent folder of `components` and the last name.
    public func withParent<T>(_ components: [String], create: Bool, _ body: (Int32, String) throws -> T) throws -> T {
        if let why = Medium.pathProblem(components) {
            throw MediumError(.refused, "leaves the medium's root: \(why)", path: components.joined(separator: "/"))
        }
        let dfd = try openFolder(Array(components.dropLast()), create: create)
        defer { close(dfd) }
        return try body(dfd, components.last!)
    }

    /// What is at `components` without following a link: a regular file's size, or nil when nothing is there.
    /// A link, folder or other entry is an error.
    public func regularFileSize(_ components: [String]) throws -> Int? {
        do {
            return try withParent(components, create: false) { dfd, name in
                var st = stat()
                if fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 { return nil }
                guard (st.st_mode & S_IFMT) == S_IFREG else {
                    throw MediumError(.refused, "is not a regular file (a link, folder or device)", path: relative(components[...]))
                }
                return Int(st.st_size)
            }
        } catch let e as MediumError where e.kind == .missing { return nil }
    }

    /// Creates a regular file (never replacing anything: O_EXCL) with `bytes`, synced.
    public func createFile(_ components: [String], bytes: [UInt8], replace: Bool = false, mode: mode_t = 0o644) throws {
        try withParent(components, create: true) { dfd, name in
            let tmp = replace ? name + ".tmp" : name
            if replace { unlinkat(dfd, tmp, 0) }
            let fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            guard fd >= 0 else { throw MediumError(.io, "cannot create: \(String(cString: strerror(errno)))", path: relative(components[...])) }
            var off = 0
            while off < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, bytes.count - off) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { let e = errno; close(fd); unlinkat(dfd, tmp, 0); throw MediumError(.io, "cannot write: \(String(cString: strerror(e)))", path: relative(components[...])) }
                off += n
            }
            fsync(fd); close(fd)
            if replace && renameat(dfd, tmp, dfd, name) != 0 {
                let e = errno; unlinkat(dfd, tmp, 0)
                throw MediumError(.io, "cannot rename into place: \(String(cString: strerror(e)))", path: relative(components[...]))
            }
        }
    }

    /// Copies the open file `source` to `components` through "NAME.tmp" and a rename; an existing
    /// file is never replaced (an identical one is kept, a different one is refused).
    public func copyIn(from source: Int32, sourcePath: String, to components: [String]) throws {
        try withParent(components, create: true) { dfd, name in
            var st = stat()
            if fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFREG else {
                    throw MediumError(.refused, "a link or folder already has this name; nothing is written through it", path: relative(components[...]))
                }
                let fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                if fd >= 0 {
                    defer { close(fd) }
                    if Medium.sameContent(fd, source) { return }
                }
                throw MediumError(.refused, "a different file already has this name; it is never overwritten", path: relative(components[...]))
            }
            let tmp = name + ".tmp"  // fixed name: a rerun after a kill truncates the leftover
            unlinkat(dfd, tmp, 0)
            let out = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard out >= 0 else { throw MediumError(.io, "cannot create: \(String(cString: strerror(errno)))", path: relative(components[...]) + ".tmp") }
            lseek(source, 0, SEEK_SET)
            let failure = Medium.copyData(from: source, to: out)
            let synced = failure == nil && fsync(out) == 0
            close(out)
            if let failure { unlinkat(dfd, tmp, 0); throw MediumError(.io, "copy from \(sourcePath) failed: \(failure)", path: relative(components[...])) }
            if !synced { unlinkat(dfd, tmp, 0); throw MediumError(.io, "cannot sync: \(String(cString: strerror(errno)))", path: relative(components[...])) }
            if renameat(dfd, tmp, dfd, name) != 0 {
                let e = errno; unlinkat(dfd, tmp, 0)
                throw MediumError(.io, "cannot rename into place: \(String(cString: strerror(e)))", path: relative(components[...]))
            }
        }
    }

    /// Renames `from` to `to` (both under the root, walked without following links); `to` must not exist.
    public func move(_ from: [String], to: [String]) throws {
        try withParent(from, create: false) { sfd, sname in
            try withParent(to, create: true) { dfd, dname in
                var st = stat()
                if fstatat(dfd, dname, &st, AT_SYMLINK_NOFOLLOW) == 0 && !to.elementsEqual(["DICOMDIR"]) {
                    throw MediumError(.refused, "already exists; it is never overwritten", path: relative(to[...]))
                }
                if fstatat(dfd, dname, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
                    throw MediumError(.refused, "is not a regular file; not replaced", path: relative(to[...]))
                }
                if renameat(sfd, sname, dfd, dname) != 0 {
                    throw MediumError(.io, "cannot rename \(relative(from[...])): \(String(cString: strerror(errno)))", path: relative(to[...]))
                }
                fsync(dfd)
            }
        }
    }

    /// Deletes the entry at `components` (a file, or the link itself: never what a link points to).
    /// Returns false when nothing was there. Empty parent folders are removed up to the root.
    @discardableResult
    public func remove(_ components: [String], pruneEmptyFolders: Bool = true) throws -> Bool {
        let removed: Bool
        do {
            removed = try withParent(components, create: false) { dfd, name in
                if unlinkat(dfd, name, 0) == 0 { return true }
                if errno == ENOENT { return false }
                throw MediumError(.io, "cannot delete: \(String(cString: strerror(errno)))", path: relative(components[...]))
            }
        } catch let e as MediumError where e.kind == .missing { return false }
        if pruneEmptyFolders { removeEmptyFolders(Array(components.dropLast())) }
        return removed
    }

    /// Removes `components` and then each parent while it is empty (never the root).
    public func removeEmptyFolders(_ components: [String]) {
        var comps = components
        while !comps.isEmpty {
            let ok = (try? withParent(comps, create: false) { dfd, name in unlinkat(dfd, name, AT_REMOVEDIR) == 0 }) ?? false
            if !ok { return }
            comps.removeLast()
        }
    }

    /// Deletes the folder `components` and everything in it, without following any link.
    public func removeTree(_ components: [String]) throws {
        try withParent(components, create: false) { dfd, name in try Medium.removeTree(at: dfd, name: name) }
    }

    static func removeTree(at dfd: Int32, name: String) throws {
        if unlinkat(dfd, name, 0) == 0 || errno == ENOENT { return }
        let fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return }
        if let d = fdopendir(fd) {
            var names: [String] = []
            while let ent = readdir(d) {
                let n = withUnsafePointer(to: ent.pointee.d_name) { p in
                    p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if n != "." && n != ".." { names.append(n) }
            }
            for n in names { try removeTree(at: fd, name: n) }
            closedir(d)
        } else { close(fd) }
        if unlinkat(dfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT {
            throw MediumError(.io, "cannot delete folder: \(String(cString: strerror(errno)))", path: name)
        }
    }

    // MARK: Byte helpers

    /// Whether two open files have the same bytes (read from their starts).
    static func sameContent(_ a: Int32, _ b: Int32) -> Bool {
        var sa = stat(), sb = stat()
        guard fstat(a, &sa) == 0, fstat(b, &sb) == 0, sa.st_size == sb.st_size else { return false }
        var ba = [UInt8](repeating: 0, count: 1 << 20), bb = [UInt8](repeating: 0, count: 1 << 20)
        var off = 0
        while true {
            let na = ba.withUnsafeMutableBytes { pread(a, $0.baseAddress, $0.count, off) }
            let nb = bb.withUnsafeMutableBytes { pread(b, $0.baseAddress, $0.count, off) }
            if na != nb || na < 0 { return false }
            if na == 0 { return true }
            if ba[..<na] != bb[..<nb] { return false }
            off += na
        }
    }

    /// Copies the rest of `input` to `output` (copy_file_range, else read/write); the failure, or nil.
    static func copyData(from input: Int32, to output: Int32) -> String? {
        if let copyRange = copyFileRange {
            var copied = 0
            while true {
                let n = copyRange(input, nil, output, nil, 1 << 30, 0)
                if n > 0 { copied += n; continue }
                if n == 0 { return nil }
                if errno == EINTR { continue }
                if copied == 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP) { break }
                return String(cString: strerror(errno))
            }
        }
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if n == 0 { return nil }
            if n < 0 { if errno == EINTR { continue }; return String(cString: strerror(errno)) }
            var off = 0
            while off < n {
                let w = buf.withUnsafeBytes { write(output, $0.baseAddress! + off, n - off) }
                if w < 0 { if errno == EINTR { continue }; return String(cString: strerror(errno)) }
                off += w
            }
        }
    }
}

/// glibc's copy_file_range(2), looked up at run time (its declaration needs _GNU_SOURCE).
private typealias CopyFileRange = @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int
private let copyFileRange: CopyFileRange? = {
    guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "copy_file_range") else { return nil }
    return unsafeBitCast(sym, to: CopyFileRange.self)
}()


