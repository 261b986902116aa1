// File-system helpers used across the package, one copy of each (POSIX calls on paths).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An errno value from a failed system call, kept whole as the `cause` of the error that reports it.
public struct SystemErrno: Error, Sendable, Hashable, CustomStringConvertible {
    /// The errno value.
    public var code: Int32
    /// The call that failed, e.g. "mkdir".
    public var call: String
    public init(_ code: Int32, call: String) { self.code = code; self.call = call }
    /// The current `errno` after `call` failed.
    public static func current(_ call: String) -> SystemErrno { SystemErrno(errno, call: call) }
    /// strerror(3)'s text, e.g. "No such file or directory".
    public var text: String { String(cString: strerror(code)) }
    public var description: String { "\(call): \(text) (errno \(code))" }
}

/// Whether something exists at `path` (following symbolic links).
public func fileExists(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0
}

/// Whether `path` is a regular file (following symbolic links).
public func isRegularFile(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}

/// Whether `path` is a directory (following symbolic links).
public func isDirectory(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
}

/// Size of a file in bytes, or 0 when it cannot be read.
public func fileSize(_ path: String) -> Int {
    var st = stat()
    return stat(path, &st) == 0 ? Int(st.st_size) : 0
}

/// The canonical absolute path (symbolic links resolved), or nil.
public func realPath(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
}

/// Names in a folder ("." and ".." left out); empty when it cannot be read.
public func folderNames(_ dir: String) -> [String] { readFolder(dir) ?? [] }

/// Names in a folder ("." and ".." left out); nil when it cannot be opened (errno tells why).
public func readFolder(_ dir: String) -> [String]? {
    guard let d = opendir(dir) else { return nil }
    var names: [String] = []
    while let ent = readdir(d) {
        let name = withUnsafePointer(to: ent.pointee.d_name) { p in
            p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    closedir(d)
    return names
}

/// `mkdir -p`: creates a folder and its missing parents (parents 0755, the last one `mode`).
public func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemErrno) {
    if isDirectory(path) { return }
    if let slash = path.lastIndex(of: "/"), slash != path.startIndex { try makeDirectories(String(path[..<slash])) }
    if mkdir(path, mode) != 0 && errno != EEXIST { throw SystemErrno.current("mkdir") }
}

/// Deletes a file or folder tree without following links (a link is removed, not its target);
/// returns the number of files (non-folders) deleted.
@discardableResult
public func removeTree(_ path: String) -> Int {
    var st = stat()
    guard lstat(path, &st) == 0 else { return 0 }
    if (st.st_mode & S_IFMT) == S_IFDIR {
        var n = 0
        for name in folderNames(path) { n += removeTree(path + "/" + name) }
        rmdir(path)
        return n
    }
    return unlink(path) == 0 ? 1 : 0
}

/// fsync(2) of the file or folder at `path` (best effort: durability, not correctness).
public func fsyncPath(_ path: String) {
    let fd = open(path, O_RDONLY)
    if fd >= 0 { fsync(fd); close(fd) }
}

/// Writes all of `bytes` to `fd` (write(2) again after a partial write or EINTR); a write that writes nothing
/// is EIO.
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemErrno) {
    try transferAll(bytes.count, "write") { done in write(fd, bytes.baseAddress! + done, bytes.count - done) }
}

/// Calls `io` with the bytes done so far until `count` are done (again after a partial transfer or EINTR); a call
/// that transfers nothing is EIO.
private func transferAll(_ count: Int, _ call: String, _ io: (Int) -> Int) throws(SystemErrno) {
    var done = 0
    while done < count {
        let n = io(done)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { throw SystemErrno(n < 0 ? errno : EIO, call: call) }
        done += n
    }
}

/// O_TMPFILE (Linux open(2)): the C macro combines two flags, so Swift does not import it.
private let oTmpFile: Int32 = 0o20_000_000 | O_DIRECTORY

/// A new read-write file in `directory` without a name (O_TMPFILE; where the file system does not support that, a
/// name made with mkstemp(3) and unlinked at once), mode 0600, close-on-exec: it goes with its last descriptor. Nil
/// when it cannot be made, or when `directory` is a symbolic link.
public func anonymousFile(in directory: String) -> Int32? {
    var fd = open(directory, oTmpFile | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0o600)
    if fd < 0 {
        guard errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL else { return nil }
        var template = Array((directory + "/.spill-XXXXXX").utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }
    return fd
}

/// Writes all of `bytes` to `fd` at `offset` (pwrite(2) again after a partial write or EINTR); a write that writes
/// nothing is EIO.
public func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int) throws(SystemErrno) {
    try transferAll(bytes.count, "pwrite") { done in pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
}

/// Fills `buffer` from `fd` at `offset` (pread(2) again after a partial read or EINTR); the end of the file before
/// the buffer is full is EIO.
public func preadAll(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemErrno) {
    try transferAll(buffer.count, "pread") { done in pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done)) }
}
