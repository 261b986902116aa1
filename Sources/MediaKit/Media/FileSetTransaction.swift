import DICOMCore
import DICOMFileSet
import DICOMIO
import Foundation
import FileSystem
#if canImport(Glibc)
import Glibc
#endif

/// A restartable change to a File-set: files to add, files to delete and the new DICOMDIR,
/// recorded in a journal before anything on the medium changes (PS3.10 §8.3: the DICOMDIR is the
/// only file an FSU rewrites; it is replaced last, atomically). Every step goes through the
/// guarded ``Medium``: no write or deletion follows a symbolic link.
///
/// Protocol: (1) the new DICOMDIR and the journal (``MediumJournal``: destination File IDs and
/// sizes, staged names, deletions; never a path outside the root) are written into
/// `ROOT/.dicom-media/`; (2) each new file is copied to its File ID through a temporary name and a
/// rename (a staged file is renamed), and an existing file is never overwritten; (3) the new
/// DICOMDIR is renamed over the old one; (4) deleted files are unlinked; (5) the journal is removed.
/// A process killed at any point leaves the old or the new DICOMDIR, each pointing only at complete
/// files. The next run (or `dicom-media recover`) validates the journal, then finishes it when
/// everything it needs is inside its folder or already in place, else rolls it back (deletes only
/// the files this transaction created that the DICOMDIR in place does not reference).
public struct FileSetTransaction: Sendable {
    public struct Copy: Sendable {
        /// Source path: an input file, or a file staged inside the journal folder.
        public var source: String
        /// Destination File ID, components joined by "/".
        public var fileID: String
        public var size: Int
        public init(source: String, fileID: String, size: Int) { self.source = source; self.fileID = fileID; self.size = size }
    }
    public var operation: String
    public var started: String
    public var copies: [Copy]
    /// Paths relative to the root ("/"-separated) to delete after the new DICOMDIR is in place.
    public var deletions: [String]

    public init(operation: String, copies: [Copy] = [], deletions: [String] = []) {
        self.operation = operation; self.copies = copies; self.deletions = deletions
        let f = DateFormatter(); f.dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXX"; f.locale = Locale(identifier: "en_US_POSIX")
        started = f.string(from: Date())
    }

    /// Folder for the journal, the staged DICOMDIR and staged rewritten files.
    public static let folderName = MediumJournal.folderName
    public static func folder(_ root: String) -> String { root + "/" + folderName }
    public static func journalPath(_ root: String) -> String { folder(root) + "/journal.json" }
    public static func stagedDICOMDIRPath(_ root: String) -> String { folder(root) + "/DICOMDIR.new" }

    /// The name of `source` inside the staging folder of `root`, or nil when it is not staged there.
    static func stagedName(_ source: String, root: String) -> String? {
        let prefix = folder(root) + "/staged/"
        guard source.hasPrefix(prefix) else { return nil }
        let name = String(source.dropFirst(prefix.count))
        return Medium.componentProblem(name) == nil ? name : nil
    }

    /// The journal recorded for this transaction.
    func journal(root: String) -> MediumJournal {
        MediumJournal(
            operation: operation, started: started,
            copies: copies.map { .init(fileID: $0.fileID, size: $0.size, staged: Self.stagedName($0.source, root: root)) },
            deletions: deletions)
    }

    /// The journal of an interrupted run, validated (nil when there is none). A journal that
    /// cannot be read or names anything outside the root is refused (MediaError .refused, exit 2)
    /// and left untouched.
    public static func pending(in root: String) throws -> MediumJournal? {
        let m = Medium(root: root)
        let bytes: [UInt8]
        do {
            guard try m.regularFileSize(MediumJournal.journalFile) != nil else { return nil }
            bytes = try m.withParent(MediumJournal.journalFile, create: false) { dfd, name -> [UInt8] in
                let fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                guard fd >= 0 else { throw MediumError(.io, "cannot open: \(String(cString: strerror(errno)))", path: journalPath(root)) }
                defer { close(fd) }
                return try readCapped(fd, path: journalPath(root))
            }
        } catch let e as MediumError { throw MediaError(e) }
        do { return try MediumJournal.parse(bytes, journal: journalPath(root)) } catch let e as MediumError { throw MediaError(e) }
    }

    static func readCapped(_ fd: Int32, path: String) throws -> [UInt8] {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw MediumError(.io, "cannot stat", path: path) }
        if st.st_size > 512 << 20 { throw MediumError(.refused, "journal of \(st.st_size) bytes is too large to be ours; it is left untouched", path: path) }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < out.count {
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        return Array(out.prefix(done))
    }

    /// What recovery did with a pending journal.
    public enum Recovery: Sendable {
        /// The transaction was finished: the new DICOMDIR is in place.
        case finished(MediumJournal, skipped: [String])
        /// The transaction was rolled back: the old DICOMDIR is kept, the files it had created are gone.
        case rolledBack(MediumJournal, reason: String)
        public var journal: MediumJournal {
            switch self {
            case .finished(let j, _), .rolledBack(let j, _): return j
            }
        }
        public var text: String {
            switch self {
            case .finished(let j, let skipped):
                return "completed an interrupted \(j.operation) started \(j.started)"
                    + (skipped.isEmpty ? "" : "; not deleted: " + skipped.joined(separator: "; "))
            case .rolledBack(let j, let why):
                return "rolled back an interrupted \(j.operation) started \(j.started) (\(why)); the File-set is as it was before it"
            }
        }
    }

    /// Finishes the pending journal of `root` when it can (or rolls it back when it cannot, or when
    /// `abort` is set); nil when there is none. A journal that is not valid is refused untouched.
    @discardableResult
    public static func recover(root: String, abort: Bool = false) throws -> Recovery? {
        let m = Medium(root: root)
        guard let j = try pending(in: root) else {
            // A journal folder without a journal: what a run killed before writing its journal, or
            // while removing the folder of a finished one, left. Nothing in it is needed.
            if let fd = try? m.openFolder(MediumJournal.folder, create: false) {
                close(fd)
                do { try clearToolFolder(m) } catch let e as MediumError { throw MediaError(e) }
            }
            return nil
        }
        do {
            let stagedDICOMDIR = try m.regularFileSize(MediumJournal.stagedDICOMDIR) != nil
            if !stagedDICOMDIR {
                // The new DICOMDIR is in place already (or was never staged): only deletions remain.
                if abort && isRegularFile(root + "/DICOMDIR") && j.copies.count > 0 {
                    throw MediaError(
                        .refused,
                        "the new DICOMDIR of this \(j.operation) is already in place, so it cannot be rolled back; run `dicom-media recover` without --abort to finish it",
                        path: journalPath(root))
                }
                return .finished(j, skipped: try finish(j, medium: m))
            }
            var missing: String?
            for c in j.copies {
                let comps = c.fileID.split(separator: "/").map(String.init)
                // A link or folder in the way (refused by the medium) counts as not complete.
                if let size = (try? m.regularFileSize(comps)) ?? nil, size == c.size { continue }
                if let s = c.staged, ((try? m.regularFileSize(MediumJournal.stagedFolder + [s])) ?? nil) == c.size { continue }
                missing = c.fileID; break
            }
            if let missing, !abort {
                try rollBack(j, medium: m)
                return .rolledBack(j, reason: "\(missing) was not complete and its source is not in the journal's folder")
            }
            if abort {
                try rollBack(j, medium: m)
                return .rolledBack(j, reason: "--abort")
            }
            return .finished(j, skipped: try finish(j, medium: m))
        } catch let e as MediumError { throw MediaError(e) }
    }

    /// Upper-cased File IDs the DICOMDIR at the root references (none when it cannot be read).
    static func referencedIDs(root: String) -> Set<String> {
        guard let p = Medium(root: root).path(FileID(["DICOMDIR"])), let fs = try? DICOMDIRReader.read(path: p) else { return [] }
        var out = Set<String>()
        for (r, _) in fs.allRecords() { if let id = r.referencedFileID { out.insert(Medium.normalisedPath(id.path)) } }
        for o in fs.orphans + fs.inactive { o.forEach { r, _ in if let id = r.referencedFileID { out.insert(Medium.normalisedPath(id.path)) } } }
        return out
    }

    /// Moves staged files into place, the staged DICOMDIR over the DICOMDIR, then deletes; removes
    /// the journal folder. Returns the deletions skipped (still referenced, or refused by the medium).
    static func finish(_ j: MediumJournal, medium m: Medium) throws -> [String] {
        for c in j.copies {
            let comps = c.fileID.split(separator: "/").map(String.init)
            if try m.regularFileSize(comps) != nil { continue }
            if let s = c.staged { makeNormalMode(folder(m.root) + "/staged/" + s); try m.move(MediumJournal.stagedFolder + [s], to: comps) }
        }
        if try m.regularFileSize(MediumJournal.stagedDICOMDIR) != nil {
            try m.move(MediumJournal.stagedDICOMDIR, to: ["DICOMDIR"])
            fsyncPath(m.root)
        }
        var skipped: [String] = []
        let referenced = j.deletions.isEmpty ? [] : referencedIDs(root: m.root)
        for d in j.deletions {
            if referenced.contains(Medium.normalisedPath(d)) { skipped.append("\(d) (the DICOMDIR references it)"); continue }
            do { try m.remove(d.split(separator: "/").map(String.init)) } catch let e as MediumError where e.kind == .refused {
                skipped.append("\(d) (\(e.message))")
            }
        }
        // The journal goes first: once it is gone the transaction is done, whatever else is left.
        _ = try m.remove(MediumJournal.journalFile, pruneEmptyFolders: false)
        try clearToolFolder(m)
        return skipped
    }

    /// Deletes the files the transaction created that the DICOMDIR in place does not reference
    /// (and their temporary names), then the journal folder; the DICOMDIR is not touched.
    static func rollBack(_ j: MediumJournal, medium m: Medium) throws {
        let referenced = referencedIDs(root: m.root)
        for c in j.copies where !referenced.contains(Medium.normalisedPath(c.fileID)) {
            var comps = c.fileID.split(separator: "/").map(String.init)
            _ = try? m.remove(comps, pruneEmptyFolders: false)
            comps[comps.count - 1] += ".tmp"
            _ = try? m.remove(comps)
        }
        try clearToolFolder(m)
    }

    /// Empties the tool folder except the lock file (FileSetLock): the lock's holder removes that
    /// file and the folder when it releases, so a second writer never finds a lock file unlinked
    /// under a live holder.
    static func clearToolFolder(_ m: Medium) throws {
        for name in folderNames(folder(m.root)) where name != FileSetLock.fileName {
            try m.removeTree(MediumJournal.folder + [name])
        }
    }

    /// Gives a staged file (private, 0600) the mode of a normal file on the medium before it is
    /// moved into place; opened without following a link.
    static func makeNormalMode(_ path: String) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 { fchmod(fd, normalFileMode); close(fd) }
    }

    /// Records the transaction and the new DICOMDIR, then carries it out. The DICOMDIR's bytes are let go once
    /// staged: the copies run without them in memory.
    public func run(root: String, dicomdir: consuming [UInt8], progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        let m = Medium(root: root)
        do {
            try m.createFile(MediumJournal.stagedDICOMDIR, bytes: dicomdir, replace: true)
            dicomdir = []
            try record(root: root, medium: m)
        } catch let e as MediumError { throw MediaError(e) }
        try apply(root: root, medium: m, progress: progress)
    }

    /// ``run(root:dicomdir:progress:)`` of the File-set's DICOMDIR, written to the journal as it is encoded
    /// (``DICOMDIRWriter/write(_:sourceAETitle:to:)``): no copy of the whole DICOMDIR is held.
    public func run(root: String, fileSet fs: FileSet, sourceAETitle: String?, progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        let m = Medium(root: root)
        do {
            try m.createFile(MediumJournal.stagedDICOMDIR, replace: true) { write in try DICOMDIRWriter.write(fs, sourceAETitle: sourceAETitle, to: write) }
            try record(root: root, medium: m)
        } catch let e as MediumError { throw MediaError(e) }
        try apply(root: root, medium: m, progress: progress)
    }

    /// Writes the journal beside the staged DICOMDIR and syncs the journal folder.
    private func record(root: String, medium m: Medium) throws {
        try m.createFile(MediumJournal.journalFile, bytes: try journal(root: root).encoded(), replace: true, mode: 0o600)
        fsyncPath(Self.folder(root))
    }

    /// Carries out the recorded transaction (the live run: it still knows its sources).
    func apply(root: String, medium m: Medium, progress: (@Sendable (Int, Int) -> Void)?) throws {
        let failures = ConcurrentSlots<any Error>(count: copies.count)
        let done = ConcurrentCounter()
        let copies = self.copies
        DispatchQueue.concurrentPerform(iterations: copies.count) { i in
            let c = copies[i]
            let comps = c.fileID.split(separator: "/").map(String.init)
            do {
                if let s = FileSetTransaction.stagedName(c.source, root: root) {
                    // A file staged in the journal folder (transcoded, rewritten) is moved, not copied.
                    if try m.regularFileSize(comps) == nil {
                        FileSetTransaction.makeNormalMode(FileSetTransaction.folder(root) + "/staged/" + s)  // private (0600) while staged
                        try m.move(MediumJournal.stagedFolder + [s], to: comps)
                    }
                } else {
                    let fd = open(c.source, O_RDONLY | O_CLOEXEC)
                    guard fd >= 0 else { throw MediaError(.io, "cannot open: \(String(cString: strerror(errno)))", path: c.source) }
                    defer { close(fd) }
                    try m.copyIn(from: fd, sourcePath: c.source, to: comps)
                }
            } catch { failures[i] = error }
            let n = done.increment()
            if let progress, n % 64 == 0 || n == copies.count { progress(n, copies.count) }
        }
        if let first = failures.values.compactMap({ $0 }).first {
            throw MediaError(
                .io, "copying into the File-set failed (run the command again, or `dicom-media recover --abort`): \(first)", path: root, cause: first)
        }
        do { _ = try Self.finish(journal(root: root), medium: m) } catch let e as MediumError { throw MediaError(e) }
    }
}

extension MediaError {
    /// A refusal or failure of the guarded medium as a media error (refused: exit 2, nothing done).
    public init(_ e: MediumError) {
        switch e.kind {
        case .refused: self.init(.refused, e.message, path: e.path, cause: e)
        case .missing: self.init(.notFound, e.message, path: e.path, cause: e)
        case .io: self.init(.io, e.message, path: e.path, cause: e)
        }
    }
}

/// FileSystem's `mkdir -p`, a failure as MediaKit's `io` error naming the folder (the `SystemErrno` kept as its cause).
func makeDirectories(_ path: String) throws {
    do { try FileSystem.makeDirectories(path) } catch { throw MediaError(.io, "cannot create folder: \(error.text)", path: path, cause: error) }
}

func removeEmptyParents(of path: String, upTo root: String) {
    var p = path
    while let slash = p.lastIndex(of: "/") {
        p = String(p[..<slash])
        if p.count <= root.count || rmdir(p) != 0 { break }
    }
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
