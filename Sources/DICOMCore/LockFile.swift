import FileSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An advisory flock(2) lock on a file `name` inside `directory`, held until `release()`; the one lock
/// of a File-set (MediaKit's FileSetLock) and of a store (DICOMStore's store.lock).
///
/// The file is opened with O_NOFOLLOW | O_CLOEXEC through a descriptor of its folder (itself opened
/// O_NOFOLLOW): a symbolic link or a hard-linked file planted at the lock's path is refused, so
/// nothing outside is created, truncated or written. A holder that ends without releasing (killed)
/// loses the lock by the kernel; its pid/time text stays in the file but is only informative and is
/// overwritten by the next holder. A waiter polls until `wait` seconds have passed, then gives up
/// with a ``CoreError`` of code `busy` (any other failure is `lock-failed`). After taking the lock
/// the file is checked to still be the one at the path, so a holder may delete it (and its folder)
/// just before releasing.
public final class LockFile: Sendable {
    public enum Mode: Sendable { case shared, exclusive }

    public let directory: String
    public let name: String
    public let mode: Mode
    public var path: String { directory + "/" + name }
    /// The lock file's and its folder's descriptors (-1 once released).
    private let handles: Mutex<(fd: Int32, dirFD: Int32)>

    private init(directory: String, name: String, mode: Mode, fd: Int32, dirFD: Int32) {
        self.directory = directory; self.name = name; self.mode = mode; handles = Mutex((fd, dirFD))
    }

    deinit { release() }

    /// Takes the lock, waiting up to `wait` seconds (0: try once). `prepare` runs before each attempt to
    /// open the file (e.g. to create its folder). An exclusive holder writes "pid N since T" into the file.
    public static func acquire(
        directory: String, name: String, mode: Mode, wait: Double, what: String,
        prepare: () throws -> Void = {}
    ) throws -> LockFile {
        let path = directory + "/" + name
        let deadline = monotonicNow() + max(0, wait)
        var attempts = 0
        while true {
            attempts += 1
            try prepare()
            let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if dirFD < 0 {
                let e = errno
                if e == ENOENT && attempts < 100 { continue }  // removed by a holder just releasing; prepare recreates it
                throw lockFailed(
                    message: e == ELOOP || e == ENOTDIR
                        ? "lock folder is a symbolic link or not a folder; refused" : "cannot open lock folder: \(String(cString: strerror(e)))",
                    path: directory, errno: e)
            }
            // A device or fifo planted at the path is not even opened (opening one can have effects).
            var pre = stat()
            if fstatat(dirFD, name, &pre, AT_SYMLINK_NOFOLLOW) == 0, (pre.st_mode & S_IFMT) != S_IFREG, (pre.st_mode & S_IFMT) != S_IFLNK {
                close(dirFD)
                throw lockFailed(message: "lock file is not a plain file (a device, fifo or folder); refused", path: path)
            }
            let fd = openat(dirFD, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o600)
            if fd < 0 {
                let e = errno
                close(dirFD)
                if e == ENOENT && attempts < 100 { continue }
                throw lockFailed(
                    message: e == ELOOP
                        ? "lock file is a symbolic link; refused (nothing outside was touched; remove the link)"
                        : "cannot open lock file: \(String(cString: strerror(e)))", path: path, errno: e)
            }
            var st = stat()
            if fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG || st.st_nlink > 1 {
                close(fd); close(dirFD)
                throw lockFailed(message: "lock file is not a plain file of its own (a device, fifo or hard link); refused", path: path)
            }
            // Non-blocking attempts until the deadline: the file may be replaced while we wait.
            var taken = false
            while true {
                if flock(fd, (mode == .exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 { taken = true; break }
                let e = errno
                if e == EINTR { continue }
                if e != EWOULDBLOCK {
                    close(fd); close(dirFD)
                    throw lockFailed(message: "cannot lock: \(String(cString: strerror(e)))", path: path, errno: e, call: "flock")
                }
                if monotonicNow() >= deadline { break }
                // The holder may have deleted this file while releasing: stop waiting on a dead inode.
                if !sameFile(fd: fd, dirFD: dirFD, name: name, directory: directory) { break }
                usleep(20_000)
            }
            if !taken {
                // Stopped at the deadline on the current file: busy. Stopped because the file was
                // replaced (its holder released it): try the new one.
                if sameFile(fd: fd, dirFD: dirFD, name: name, directory: directory) || attempts >= 1000 {
                    // The holder writes its text just after taking the lock: give it a moment.
                    var holder = readHolder(fd)
                    for _ in 0..<25 where holder == nil { usleep(20_000); holder = readHolder(fd) }
                    close(fd); close(dirFD)
                    throw CoreError.busy(what: what, path: path, holder: holder)
                }
                close(fd); close(dirFD)
                continue
            }
            // Taken: make sure the file is still the one at the path (a releasing holder deletes it).
            guard sameFile(fd: fd, dirFD: dirFD, name: name, directory: directory) else {
                close(fd); close(dirFD)
                if attempts >= 1000 { throw lockFailed(message: "lock file keeps changing; giving up", path: path) }
                continue
            }
            let lock = LockFile(directory: directory, name: name, mode: mode, fd: fd, dirFD: dirFD)
            if mode == .exclusive { lock.writeHolder() }
            return lock
        }
    }

    /// Releases the lock. With `removingFile`, the file is deleted first (still under the lock), and
    /// `removingFolder` then removes its folder if that is empty.
    public func release(removingFile: Bool = false, removingFolder: Bool = false) {
        handles.withLock { h in
            guard h.fd >= 0 else { return }
            if removingFile {
                unlinkat(h.dirFD, name, 0)
                if removingFolder { rmdir(directory) }
            } else if mode == .exclusive {
                ftruncate(h.fd, 0)  // the holder's text would only mislead the next waiter
            }
            close(h.fd); close(h.dirFD)
            h = (-1, -1)
        }
    }

    /// Whether the lock is held by this object.
    public var isHeld: Bool { handles.withLock { $0.fd >= 0 } }

    /// "pid N since T" (T in UTC, ISO 8601) into the file: what a busy waiter reports.
    private func writeHolder() {
        let text = "pid \(getpid()) since \(LockFile.timestamp())\n"
        handles.withLock { h in
            // Written over the old text, then cut to length: a reader never sees an empty file in between.
            let n = text.withCString { pwrite(h.fd, $0, strlen($0), 0) }
            if n > 0 { ftruncate(h.fd, off_t(n)) }
        }
    }

    /// The holder's text if it is one this tool writes (a planted file's content is not echoed).
    static func readHolder(_ fd: Int32) -> String? {
        var buf = [UInt8](repeating: 0, count: 128)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        var text = String(decoding: buf[0..<n], as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pid", parts[2] == "since", Int32(parts[1]) != nil,
            parts[3].allSatisfy({ $0.isNumber || "-:TZ".contains($0) }), parts[3].count <= 25
        else { return nil }
        return text
    }

    /// A `lock-failed` error: the message, the lock's path and the errno of `call`, when one failed.
    static func lockFailed(
        message: String, path: String, errno code: Int32? = nil, call: String = "open", file: String = #fileID, line: Int = #line
    ) -> CoreError {
        CoreError(.lockFailed, message, path: path, cause: code.map { SystemErrno($0, call: call) }, file: file, line: line)
    }

    static func sameFile(fd: Int32, dirFD: Int32, name: String, directory: String) -> Bool {
        var a = stat(), b = stat(), d = stat(), p = stat()
        guard fstat(fd, &a) == 0, fstatat(dirFD, name, &b, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        guard a.st_dev == b.st_dev && a.st_ino == b.st_ino else { return false }
        // And the folder is still the one at its path (not removed and made again).
        guard fstat(dirFD, &d) == 0, lstat(directory, &p) == 0 else { return false }
        return d.st_dev == p.st_dev && d.st_ino == p.st_ino
    }

    /// Now, UTC, ISO 8601 (YYYY-MM-DDThh:mm:ssZ).
    public static func timestamp() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        var buf = [CChar](repeating: 0, count: 32)
        let n = strftime(&buf, buf.count, "%Y-%m-%dT%H:%M:%SZ", &tm)
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
