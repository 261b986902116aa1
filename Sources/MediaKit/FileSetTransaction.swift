import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A restartable change to a File-set: files to add, files to delete and the new DICOMDIR,
/// recorded in a journal before anything on the medium changes (PS3.10 §8.3: the DICOMDIR is the
/// only file an FSU rewrites; it is replaced last, atomically).
///
/// Protocol: (1) the new DICOMDIR and the journal are written into `ROOT/.dicom-media/`;
/// (2) each new file is copied to its File ID through a temporary name and a rename, and an
/// existing file is never overwritten; (3) the new DICOMDIR is renamed over the old one;
/// (4) deleted files are unlinked; (5) the journal is removed. A process killed at any point
/// leaves the old or the new DICOMDIR, each pointing only at complete files; the next run of any
/// command on the File-set finishes the journal first. `verify` reports a pending journal.
public struct FileSetTransaction: Codable, Sendable {
    public struct Copy: Codable, Sendable {
        /// Absolute source path (or a staged file inside the journal folder).
        public var source: String
        /// Destination File ID, components joined by "/".
        public var fileID: String
        public var size: Int
    }
    public var operation: String
    public var started: String
    public var copies: [Copy]
    /// File IDs to delete after the new DICOMDIR is in place.
    public var deletions: [String]

    public init(operation: String, copies: [Copy] = [], deletions: [String] = []) {
        self.operation = operation; self.copies = copies; self.deletions = deletions
        let f = DateFormatter(); f.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXX"; f.locale = Locale(identifier: "en_US_POSIX")
        started = f.string(from: Date())
    }

    /// Folder for the journal, the staged DICOMDIR and staged rewritten files.
    public static let folderName = FileSetVerifier.journalFolderName
    public static func folder(_ root: String) -> String { root + "/" + folderName }
    public static func journalPath(_ root: String) -> String { folder(root) + "/journal.json" }
    public static func stagedDICOMDIRPath(_ root: String) -> String { folder(root) + "/DICOMDIR.new" }

    /// The pending transaction of a File-set root, if an earlier run was interrupted.
    public static func pending(in root: String) -> FileSetTransaction? {
        guard let data = FileManager.default.contents(atPath: journalPath(root)) else { return nil }
        return try? JSONDecoder().decode(FileSetTransaction.self, from: data)
    }

    /// Records the transaction and the new DICOMDIR, then carries it out.
    public func run(root: String, dicomdir: [UInt8], progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        try makeDirectories(Self.folder(root))
        try Part10Writer.write(dicomdir, to: Self.stagedDICOMDIRPath(root))
        let data = try JSONEncoder().encode(self)
        try writePrivateFile([UInt8](data), to: Self.journalPath(root) + ".tmp")
        guard rename(Self.journalPath(root) + ".tmp", Self.journalPath(root)) == 0 else {
            throw MediaError(.io, "cannot write the journal: \(String(cString: strerror(errno)))", path: Self.journalPath(root))
        }
        fsyncPath(Self.folder(root))
        try apply(root: root, progress: progress)
    }

    /// Carries out a recorded transaction; safe to repeat.
    public func apply(root: String, progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        let failures = ConcurrentSlots<String>(count: copies.count)
        let done = ConcurrentCounter()
        let copies = self.copies
        DispatchQueue.concurrentPerform(iterations: copies.count) { i in
            let c = copies[i]
            let dest = root + "/" + c.fileID
            do { try FileSetTransaction.copyIfNeeded(from: c.source, to: dest) } catch { failures[i] = "\(error)" }
            let n = done.increment()
            if let progress, n % 64 == 0 || n == copies.count { progress(n, copies.count) }
        }
        if let first = failures.values.compactMap({ $0 }).first {
            throw MediaError(.io, "copying into the File-set failed (run the command again to resume): \(first)", path: root)
        }
        let staged = Self.stagedDICOMDIRPath(root)
        if isRegularFile(staged) {
            fsyncPath(staged)
            guard rename(staged, root + "/DICOMDIR") == 0 else {
                throw MediaError(.io, "cannot put the new DICOMDIR in place: \(String(cString: strerror(errno)))", path: root + "/DICOMDIR")
            }
            fsyncPath(root)
        }
        for id in deletions {
            let p = root + "/" + id
            if unlink(p) != 0 && errno != ENOENT {
                throw MediaError(.io, "cannot delete: \(String(cString: strerror(errno)))", path: p)
            }
            removeEmptyParents(of: p, upTo: root)
        }
        Self.finish(root: root)
    }

    /// Ends a completed transaction: the journal goes first, then the staged files; the lock file
    /// (FileSetLock) stays for its holder, which removes it and the folder when it releases.
    static func finish(root: String) {
        unlink(journalPath(root))
        fsyncPath(folder(root))
        for name in folderNames(folder(root)) where name != FileSetLock.fileName { removeTreeNoFollow(folder(root) + "/" + name) }
        rmdir(folder(root))  // when no lock holder keeps it
    }

    /// Copies `source` to `dest` through a temporary file; an identical `dest` is kept, a different one is an error.
    static func copyIfNeeded(from source: String, to dest: String) throws {
        // A file staged in the journal folder (transcoded, rewritten) is moved, not copied; once moved, a rerun finds it in place.
        if source.contains("/\(folderName)/staged/") {
            if !isRegularFile(source) && isRegularFile(dest) { return }
            if !isRegularFile(dest) {
                if let slash = dest.lastIndex(of: "/") { try makeDirectories(String(dest[..<slash])) }
                chmod(source, normalFileMode)  // private (0600) while staged; a normal file on the medium
                if rename(source, dest) == 0 { return }
            }
        }
        if isRegularFile(dest) {
            if try sameContent(source, dest) { return }
            throw MediaError(.refused, "a different file already has this name; it is never overwritten", path: dest)
        }
        if let slash = dest.lastIndex(of: "/") { try makeDirectories(String(dest[..<slash])) }
        let tmp = dest + ".tmp"  // fixed name: a rerun after a kill truncates the leftover
        try copyFile(source, tmp)
        guard rename(tmp, dest) == 0 else {
            let e = errno; unlink(tmp)
            throw MediaError(.io, "cannot rename into place: \(String(cString: strerror(e)))", path: dest)
        }
    }
}

/// `mkdir -p`.
public func makeDirectories(_ path: String) throws {
    if isDirectory(path) { return }
    if let slash = path.lastIndex(of: "/"), slash != path.startIndex { try makeDirectories(String(path[..<slash])) }
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw MediaError(.io, "cannot create folder: \(String(cString: strerror(errno)))", path: path)
    }
}

func removeEmptyParents(of path: String, upTo root: String) {
    var p = path
    while let slash = p.lastIndex(of: "/") {
        p = String(p[..<slash])
        if p.count <= root.count || rmdir(p) != 0 { break }
    }
}

func fsyncPath(_ path: String) {
    let fd = open(path, O_RDONLY)
    if fd >= 0 { fsync(fd); close(fd) }
}

/// Copies a file with copy_file_range (kernel-side), falling back to read/write; fsyncs the copy.
public func copyFile(_ source: String, _ dest: String) throws {
    let inFD = open(source, O_RDONLY)
    guard inFD >= 0 else { throw MediaError(.io, "cannot open: \(String(cString: strerror(errno)))", path: source) }
    defer { close(inFD) }
    let outFD = open(dest, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard outFD >= 0 else { throw MediaError(.io, "cannot create: \(String(cString: strerror(errno)))", path: dest) }
    var ok = true
    var failure = ""
    var useFallback = false
    while true {
        guard let copyRange = copyFileRange else { useFallback = true; break }
        let n = copyRange(inFD, nil, outFD, nil, 1 << 30, 0)
        if n > 0 { continue }
        if n == 0 { break }
        if errno == EINTR { continue }
        if errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP { useFallback = true; break }
        ok = false; failure = String(cString: strerror(errno)); break
    }
    if useFallback && ok {
        lseek(inFD, 0, SEEK_SET); ftruncate(outFD, 0); lseek(outFD, 0, SEEK_SET)
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        loop: while true {
            let n = buf.withUnsafeMutableBytes { read(inFD, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 { if errno == EINTR { continue }; ok = false; failure = String(cString: strerror(errno)); break }
            var off = 0
            while off < n {
                let w = buf.withUnsafeBytes { write(outFD, $0.baseAddress! + off, n - off) }
                if w < 0 { if errno == EINTR { continue }; ok = false; failure = String(cString: strerror(errno)); break loop }
                off += w
            }
        }
    }
    if ok && fsync(outFD) != 0 { ok = false; failure = String(cString: strerror(errno)) }
    close(outFD)
    if !ok { unlink(dest); throw MediaError(.io, "copy failed: \(failure)", path: dest) }
}

/// Whether two files have the same bytes.
public func sameContent(_ a: String, _ b: String) throws -> Bool {
    if fileSize(a) != fileSize(b) { return false }
    guard let fa = FileHandle(forReadingAtPath: a), let fb = FileHandle(forReadingAtPath: b) else {
        throw MediaError(.io, "cannot open for comparison", path: a)
    }
    defer { try? fa.close(); try? fb.close() }
    while true {
        let da = fa.readData(ofLength: 1 << 20), db = fb.readData(ofLength: 1 << 20)
        if da != db { return false }
        if da.isEmpty { return true }
    }
}

/// glibc's copy_file_range(2), looked up at run time (its declaration needs _GNU_SOURCE, which
/// the Glibc module does not set).
private typealias CopyFileRange = @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int
private let copyFileRange: CopyFileRange? = {
    guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "copy_file_range") else { return nil }
    return unsafeBitCast(sym, to: CopyFileRange.self)
}()
