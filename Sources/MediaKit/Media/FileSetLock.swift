import DICOMCore
import DICOMFileSet
import Foundation
import FileSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One writer at a time: the exclusive lock of a File-set (or of an image being written), held by
/// create, update, remove, `create --in-place` and journal recovery for their whole run.
///
/// The lock is flock(2) on `lock` in the target's private tool folder (`ROOT/.dicom-media/` of a
/// File-set, `DIR/.NAME.dicom-media/` beside an image NAME), created 0700 and opened without
/// following links (DICOMCore ``LockFile``). A second writer waits up to `wait` seconds, then fails
/// with "File-set busy (locked by pid N since T)" having touched nothing. The tool folder also holds
/// the journal and the private staging folder (0700, files 0600): under the lock, leftovers of a
/// killed run that has no journal to finish are removed on taking the lock, and a run's own
/// leftovers on release; the tool folder and the lock file go too unless a journal remains to be
/// finished. `verify` never counts the folder as part of the File-set.
public final class FileSetLock: Sendable {
    /// Default `--wait` in seconds.
    public static let defaultWait: Double = 5
    /// File name of the lock inside the tool folder.
    public static let fileName = "lock"

    /// The File-set root (or the image file) locked.
    public let target: String
    /// The private tool folder holding the lock, the journal and the staging folder.
    public let folder: String
    /// The held lock; taken out (nil) by the one `release` that lets it go, so releasing twice, or from
    /// two threads, releases once.
    private let held: Mutex<LockFile?>
    /// The root folder did not exist before and was made for the lock (removed again if left empty).
    private let madeRoot: Bool
    private let image: Bool

    private init(target: String, folder: String, lock: LockFile, madeRoot: Bool, image: Bool) {
        self.target = target; self.folder = folder; self.held = Mutex(lock); self.madeRoot = madeRoot; self.image = image
    }

    deinit { release() }

    /// The private tool folder of a File-set root.
    public static func toolFolder(root: String) -> String { FileSetTransaction.folder(root) }

    /// The private tool folder of an image file: `.NAME.dicom-media` beside it, inside the target folder.
    public static func toolFolder(image: String) -> String {
        let (dir, base) = split(image)
        return dir + "/." + base + ".dicom-media"
    }

    /// The private staging folder inside a tool folder.
    public static func stagingFolder(in folder: String) -> String { folder + "/staged" }

    /// Takes the exclusive lock of the File-set at `root`, waiting up to `wait` seconds; with
    /// `createRoot`, a missing root folder is made first (create). Leftovers of a killed run
    /// without a journal are removed once the lock is held.
    public static func acquire(root: String, wait: Double = defaultWait, createRoot: Bool = false) throws -> FileSetLock {
        var madeRoot = false
        if createRoot && !isDirectory(root) {
            var st = stat()
            if lstat(root, &st) == 0 { throw MediaError(.refused, "exists and is not a folder", path: root) }
            try makeDirectories(root)
            madeRoot = true
        }
        guard isDirectory(root) else { throw MediaError(.notFound, "no such folder", path: root) }
        let folder = toolFolder(root: root)
        let lock: LockFile
        do { lock = try take(folder: folder, target: root, wait: wait, what: "File-set") } catch {
            if madeRoot { rmdir(root) }
            throw error
        }
        let l = FileSetLock(target: root, folder: folder, lock: lock, madeRoot: madeRoot, image: false)
        l.removeLeftovers(keepJournal: true)
        return l
    }

    /// Takes the exclusive lock of an image being written at `path` (its tool folder is made beside it).
    /// A leftover staging folder and `.tmp` image of a killed run are removed once the lock is held.
    public static func acquire(image path: String, wait: Double = defaultWait) throws -> FileSetLock {
        let (dir, _) = split(path)
        guard isDirectory(dir) else { throw MediaError(.notFound, "no such folder for the image", path: dir) }
        let folder = toolFolder(image: path)
        let lock = try take(folder: folder, target: path, wait: wait, what: "image")
        let l = FileSetLock(target: path, folder: folder, lock: lock, madeRoot: false, image: true)
        l.removeLeftovers(keepJournal: false)
        // ISOWriter's fixed temporary name beside the image, left by a kill.
        var st = stat()
        if lstat(path + ".tmp", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG { unlink(path + ".tmp") }
        return l
    }

    /// Runs `body` holding the lock of the File-set at `root` (see ``acquire(root:wait:createRoot:)``).
    public static func with<R>(root: String, wait: Double = defaultWait, createRoot: Bool = false, _ body: () throws -> R) throws -> R {
        let l = try acquire(root: root, wait: wait, createRoot: createRoot)
        defer { l.release() }
        return try body()
    }

    /// Releases the lock: the staging folder and other scratch files go (on success and on failure);
    /// the tool folder and the lock file go too unless a journal remains for the next run to finish.
    public func release() {
        guard
            let lock = held.withLock({ l -> LockFile? in
                defer { l = nil }; return l
            }), lock.isHeld
        else { return }
        let journalLeft = !image && isRegularFile(FileSetTransaction.journalPath(target))
        removeLeftovers(keepJournal: true)
        if journalLeft {
            lock.release()
        } else {
            lock.release(removingFile: true, removingFolder: true)
            if madeRoot { rmdir(target) }  // only if create left it empty (nothing written)
        }
    }

    /// Removes the staging folder and scratch files of the tool folder; with a pending journal
    /// (a File-set whose write was interrupted) they are the journal's and stay for it to finish.
    private func removeLeftovers(keepJournal: Bool) {
        if keepJournal && !image && isRegularFile(FileSetTransaction.journalPath(target)) { return }
        for name in folderNames(folder) where name != FileSetLock.fileName {
            removeTree(folder + "/" + name)
        }
    }

    /// mkdir 0700 of the tool folder (an existing one is made private again), then the lock.
    private static func take(folder: String, target: String, wait: Double, what: String) throws -> LockFile {
        do {
            return try LockFile.acquire(directory: folder, name: fileName, mode: .exclusive, wait: wait, what: what) {
                if mkdir(folder, 0o700) != 0 && errno != EEXIST {
                    throw MediaError(.io, "cannot create the private tool folder: \(String(cString: strerror(errno)))", path: folder)
                }
            }
        } catch let b as CoreError where b.code == .busy {
            throw MediaError(.busy, b.description, path: target, cause: b)
        } catch let f as CoreError where f.code == .lockFailed {
            throw MediaError(.io, f.message, path: f.path, cause: f)
        }
    }

    static func split(_ path: String) -> (String, String) {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return (".", p) }
        let dir = slash == p.startIndex ? "/" : String(p[..<slash])
        return (dir, String(p[p.index(after: slash)...]))
    }
}

// MARK: - Private temporary data

/// mkdir of a private folder (0700) whose parent exists; an existing one is made private again.
public func makePrivateDirectory(_ path: String) throws {
    if mkdir(path, 0o700) != 0 {
        let e = errno
        var st = stat()
        guard e == EEXIST, lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw MediaError(.io, "cannot create private folder: \(String(cString: strerror(e == EEXIST ? ENOTDIR : e)))", path: path)
        }
        chmod(path, 0o700)
    }
}

/// Writes a private file (0600; a link at the path is refused, never followed) and fsyncs it unless `sync` is false
/// (a scratch file whose content lands elsewhere, which is synced there).
public func writePrivateFile(_ bytes: [UInt8], to path: String, sync: Bool = true) throws {
    try writePrivateFile(to: path, sync: sync) { write in try bytes.withUnsafeBytes(write) }
}

/// ``writePrivateFile(_:to:sync:)`` of what `contents` hands to its writer, part by part; whatever it throws
/// leaves no file.
public func writePrivateFile(to path: String, sync: Bool = true, contents: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw MediaError(.io, "cannot create: \(String(cString: strerror(errno)))", path: path) }
    fchmod(fd, 0o600)  // an existing file keeps its mode through O_TRUNC
    var failure: String?
    do {
        try contents { part in
            do throws(SystemErrno) { try writeAll(fd, part) } catch { throw MediaError(.io, "write failed: \(error.text)", path: path) }
        }
    } catch {
        close(fd); unlink(path)
        throw error
    }
    if sync && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    close(fd)
    if let failure { unlink(path); throw MediaError(.io, "write failed: \(failure)", path: path) }
}

/// Renames `source` to `dest` (same folder tree), refusing to replace an existing `dest`: link(2)
/// then unlink, or, where hard links are not supported (FAT), a check then rename(2).
public func moveWithoutReplacing(_ source: String, to dest: String) throws {
    if link(source, dest) == 0 { unlink(source); return }
    let e = errno
    if e == EEXIST { unlink(source); throw MediaError(.refused, "already exists; it is never overwritten", path: dest) }
    var st = stat()
    if lstat(dest, &st) == 0 { unlink(source); throw MediaError(.refused, "already exists; it is never overwritten", path: dest) }
    guard rename(source, dest) == 0 else {
        let r = errno; unlink(source)
        throw MediaError(.io, "cannot move into place: \(String(cString: strerror(r)))", path: dest)
    }
}

/// The mode a file on the medium gets (0666 less the process umask, as open(2) would give it).
public let normalFileMode: mode_t = {
    // /proc/self/status "Umask:" reads the umask without changing it (umask(2) would, for every thread).
    if let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = s.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
        let mask = mode_t(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8)
    {
        return 0o666 & ~mask
    }
    return 0o644
}()
