import DICOMCore
import FileSystem
import GRDB
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Files on disk plus a SQLite index (WAL, busy timeout) through GRDB: the local store.
///
/// Layout: `index.sqlite`, `objects/ab/<sha256>.dcm` (content-addressed, written through `tmp/` with
/// fsync + rename before the row is inserted), `store.lock` (flock: imports shared, maintenance exclusive),
/// `init.lock` (serialises creation and migrations). The schema is in StoreSchema.swift, queries in
/// StoreQueries.swift, writing in ImportSession.swift, removal and reconciliation in StoreMaintenance.swift.
public final class DICOMStore: Sendable {
    public let root: String
    let db: StoreIndex
    private let wait = Mutex<Double>(5)
    /// Seconds to wait for the store lock held by another process before failing busy (`--wait`).
    public var lockWait: Double {
        get { wait.withLock { $0 } }
        set { wait.withLock { $0 = newValue } }
    }

    public var objectsDirectory: String { root + "/objects" }
    public var tmpDirectory: String { Self.tmpDirectory(root: root) }
    /// The store's private folder (0700) for files being written and other scratch files.
    public static func tmpDirectory(root: String) -> String { root + "/tmp" }

    /// Opens (and with `create`, creates) the store at `root`, running pending migrations.
    public init(root: String, create: Bool = true) throws {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
        if !isDirectory(r) {
            guard create else { throw StoreError(.noStore, "no store here", path: r) }
            try createDirectories(r)
        }
        try createDirectories(r + "/objects")
        try createDirectories(r + "/tmp", mode: 0o700)
        chmod(r + "/tmp", 0o700)
        // Creation and migrations one process at a time (waits as long as another one migrates).
        let initLock = try DICOMStore.lock(directory: r, name: "init.lock", exclusive: true, wait: .infinity)
        defer { initLock.release() }
        var config = Configuration()
        config.busyMode = .timeout(120)
        config.label = "dicom-media-store"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Removed rows (store remove, reconcile) are overwritten with zeros, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        do {
            let pool = try DatabasePool(path: r + "/index.sqlite", configuration: config)
            try DICOMStore.migrator.migrate(pool)
            db = StoreIndex(pool: pool, path: r + "/index.sqlite")
        } catch let e as DatabaseError {
            throw StoreError(.indexUnavailable, "store index cannot be opened: \(e.message ?? "\(e)")", path: r + "/index.sqlite", cause: e)
        }
    }

    /// The relative path of the object holding content with this hash.
    public static func objectPath(sha256: String) -> String {
        "objects/\(sha256.prefix(2))/\(sha256).dcm"
    }

    public func absolutePath(_ instance: StoredInstance) -> String { root + "/" + instance.path }

    /// Now, UTC, ISO 8601 (YYYY-MM-DDThh:mm:ssZ): the import time recorded in rows.
    public static func timestamp() -> String { LockFile.timestamp() }

    // MARK: Locks

    /// Holds the store lock shared (imports) or exclusive (reconcile, remove, verify) while `body` runs;
    /// waits up to `lockWait` seconds for a conflicting holder, then fails "store busy (locked by pid N since T)".
    func withStoreLock<R>(exclusive: Bool, _ body: () throws -> R) throws -> R {
        let l: LockFile
        do {
            l = try DICOMStore.lock(directory: root, name: "store.lock", exclusive: exclusive, wait: lockWait)
        } catch let b as CoreError where b.code == .busy {
            throw StoreError(.busy, b.description, path: root, cause: b)
        }
        defer { l.release() }
        return try body()
    }

    /// Tries the exclusive store lock without waiting; nil when another process holds the lock.
    func tryExclusive<R>(_ body: () throws -> R) throws -> R? {
        let l: LockFile
        do {
            l = try DICOMStore.lock(directory: root, name: "store.lock", exclusive: true, wait: 0)
        } catch let b as CoreError where b.code == .busy {
            return nil
        }
        defer { l.release() }
        return try body()
    }

    /// A lock file of the store (DICOMCore LockFile: opened without following links; an exclusive holder
    /// writes its pid and start time); a lock that cannot be taken is a ``StoreError`` with the failure as cause.
    private static func lock(directory: String, name: String, exclusive: Bool, wait: Double) throws -> LockFile {
        do {
            return try LockFile.acquire(directory: directory, name: name, mode: exclusive ? .exclusive : .shared, wait: wait, what: "store")
        } catch let f as CoreError where f.code == .lockFailed {
            throw StoreError(.lockFailed, f.message, path: f.path, cause: f)
        }
    }
}
