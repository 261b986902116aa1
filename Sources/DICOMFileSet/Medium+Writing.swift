#if canImport(Glibc)
import Glibc
#endif
import Foundation
import DICOMCore
import FileSystem

extension Medium {
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
        try createFile(components, replace: replace, mode: mode) { write in try bytes.withUnsafeBytes(write) }
    }

    /// Creates a regular file (never replacing anything: O_EXCL) with what `contents` hands to its writer, part by
    /// part, synced; with `replace`, through "NAME.tmp" and a rename. Whatever `contents` throws leaves no file.
    public func createFile(
        _ components: [String], replace: Bool = false, mode: mode_t = 0o644,
        contents: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void
    ) throws {
        try withParent(components, create: true) { dfd, name in
            let tmp = replace ? name + ".tmp" : name
            if replace { unlinkat(dfd, tmp, 0) }
            let fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            guard fd >= 0 else { throw MediumError(.io, "cannot create: \(String(cString: strerror(errno)))", path: relative(components[...])) }
            do {
                try contents { part in
                    do throws(SystemErrno) { try writeAll(fd, part) } catch {
                        throw MediumError(.io, "cannot write: \(error.text)", path: relative(components[...]))
                    }
                }
            } catch {
                close(fd); unlinkat(dfd, tmp, 0)
                throw error
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
                guard fd >= 0 else {
                    throw MediumError(
                        .io, "cannot open the file already there to compare it: \(String(cString: strerror(errno)))", path: relative(components[...]))
                }
                defer { close(fd) }
                if try Medium.sameContent(fd, source, path: relative(components[...])) { return }
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
        } else {
            close(fd)
        }
        if unlinkat(dfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT {
            throw MediumError(.io, "cannot delete folder: \(String(cString: strerror(errno)))", path: name)
        }
    }

    // MARK: Byte helpers

    /// Whether two open files have the same bytes (read from their starts).
    static func sameContent(_ a: Int32, _ b: Int32, path: String) throws -> Bool {
        var sa = stat(), sb = stat()
        guard fstat(a, &sa) == 0, fstat(b, &sb) == 0 else {
            throw MediumError(.io, "cannot compare with the file already there: \(String(cString: strerror(errno)))", path: path)
        }
        guard sa.st_size == sb.st_size else { return false }
        var ba = [UInt8](repeating: 0, count: 1 << 20), bb = [UInt8](repeating: 0, count: 1 << 20)
        var off = 0
        while true {
            let na = ba.withUnsafeMutableBytes { pread(a, $0.baseAddress, $0.count, off) }
            let nb = bb.withUnsafeMutableBytes { pread(b, $0.baseAddress, $0.count, off) }
            if na < 0 || nb < 0 {
                throw MediumError(.io, "cannot compare with the file already there: \(String(cString: strerror(errno)))", path: path)
            }
            if na != nb { return false }
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
