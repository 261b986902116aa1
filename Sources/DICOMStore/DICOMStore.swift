import CCrypto
import DICOMCore
import DICOMIO
import Dispatch
import GRDB
import FileSystem
#if canImport(Glibc)
import Glibc
#endif

/// One stored instance: a row of the index (table `instance`). Patient, study and series keys are
/// denormalised into it, so a row is the unit of an atomic insert (see docs/ARCHITECTURE.md).
public struct StoredInstance: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "instance"
    public var id: Int64?
    public var sopInstanceUID: String
    public var sopClassUID: String
    public var transferSyntaxUID: String
    public var patientID: String
    public var patientName: String?
    public var patientBirthDate: String?
    public var patientSex: String?
    public var studyInstanceUID: String
    public var studyDate: String?
    public var studyDescription: String?
    public var accessionNumber: String?
    public var seriesInstanceUID: String
    public var modality: String?
    public var seriesNumber: Int?
    public var instanceNumber: Int?
    /// File size in bytes.
    public var size: Int
    /// SHA-256 of the stored file (lower-case hex); the file is `objects/<first two>/<sha256>.dcm`.
    public var sha256: String
    /// Path of the stored file relative to the store root.
    public var path: String
    /// A newer copy of a SOP Instance UID already stored with different content.
    public var conflict: Bool
    /// Provenance: "folder" or "iso", the medium's path, its File-set ID and UID, the File ID that named
    /// the file in the DICOMDIR (nil when found by scanning), and the path on the medium.
    public var sourceKind: String
    public var sourceLocation: String
    public var sourceFileSetID: String?
    public var sourceFileSetUID: String?
    public var sourceFileID: String?
    public var sourcePath: String
    /// Import time, UTC, ISO 8601.
    public var importedAt: String
    /// Series Description (0008,103E) and Body Part Examined (0018,0015); migration "v2-series-description-body-part".
    public var seriesDescription: String? = nil
    public var bodyPartExamined: String? = nil

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// Where an instance came from.
    public struct Provenance: Sendable {
        public var kind: String
        public var location: String
        public var fileSetID: String?
        public var fileSetUID: String?
        public var fileID: String?
        public var path: String
        public init(kind: String, location: String, fileSetID: String? = nil, fileSetUID: String? = nil, fileID: String? = nil, path: String) {
            self.kind = kind; self.location = location; self.fileSetID = fileSetID; self.fileSetUID = fileSetUID
            self.fileID = fileID; self.path = path
        }
    }

    /// The row for a file's `bytes`, its (header) data set and identity; hashes the bytes.
    public init(dataSet ds: DataSet, sopClassUID: String, sopInstanceUID: String, transferSyntaxUID: String,
                bytes: [UInt8], provenance: Provenance, importedAt: String) {
        func s(_ t: Tag) -> String? { ds.string(t).flatMap { $0.isEmpty ? nil : $0 } }
        let sha = SHA256Hasher.hex(of: bytes)
        self.init(
            id: nil, sopInstanceUID: sopInstanceUID, sopClassUID: sopClassUID, transferSyntaxUID: transferSyntaxUID,
            patientID: s(.patientID) ?? "", patientName: ds.personNames(.patientName)?.first?.description,
            patientBirthDate: s(Tag(0x0010, 0x0030)), patientSex: s(Tag(0x0010, 0x0040)),
            studyInstanceUID: s(.studyInstanceUID) ?? "", studyDate: s(.studyDate), studyDescription: s(Tag(0x0008, 0x1030)),
            accessionNumber: s(Tag(0x0008, 0x0050)), seriesInstanceUID: s(.seriesInstanceUID) ?? "", modality: s(.modality),
            seriesNumber: ds.integer(Tag(0x0020, 0x0011)), instanceNumber: ds.integer(Tag(0x0020, 0x0013)),
            size: bytes.count, sha256: sha, path: DICOMStore.objectPath(sha256: sha), conflict: false,
            sourceKind: provenance.kind, sourceLocation: provenance.location, sourceFileSetID: provenance.fileSetID,
            sourceFileSetUID: provenance.fileSetUID, sourceFileID: provenance.fileID, sourcePath: provenance.path,
            importedAt: importedAt)
        seriesDescription = s(.seriesDescription); bodyPartExamined = s(.bodyPartExamined)
    }

    init(id: Int64?, sopInstanceUID: String, sopClassUID: String, transferSyntaxUID: String, patientID: String,
         patientName: String?, patientBirthDate: String?, patientSex: String?, studyInstanceUID: String, studyDate: String?,
         studyDescription: String?, accessionNumber: String?, seriesInstanceUID: String, modality: String?, seriesNumber: Int?,
         instanceNumber: Int?, size: Int, sha256: String, path: String, conflict: Bool, sourceKind: String, sourceLocation: String,
         sourceFileSetID: String?, sourceFileSetUID: String?, sourceFileID: String?, sourcePath: String, importedAt: String) {
        self.id = id; self.sopInstanceUID = sopInstanceUID; self.sopClassUID = sopClassUID; self.transferSyntaxUID = transferSyntaxUID
        self.patientID = patientID; self.patientName = patientName; self.patientBirthDate = patientBirthDate; self.patientSex = patientSex
        self.studyInstanceUID = studyInstanceUID; self.studyDate = studyDate; self.studyDescription = studyDescription
        self.accessionNumber = accessionNumber; self.seriesInstanceUID = seriesInstanceUID; self.modality = modality
        self.seriesNumber = seriesNumber; self.instanceNumber = instanceNumber; self.size = size; self.sha256 = sha256
        self.path = path; self.conflict = conflict; self.sourceKind = sourceKind; self.sourceLocation = sourceLocation
        self.sourceFileSetID = sourceFileSetID; self.sourceFileSetUID = sourceFileSetUID; self.sourceFileID = sourceFileID
        self.sourcePath = sourcePath; self.importedAt = importedAt
    }
}

/// An error of the store: what failed, on which path.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var path: String?
    public init(_ message: String, path: String? = nil) { self.message = message; self.path = path }
    public var description: String { (path.map { $0 + ": " } ?? "") + message }
}

/// Files on disk plus a SQLite index (WAL, busy timeout) through GRDB: the local store.
///
/// Layout: `index.sqlite`, `objects/ab/<sha256>.dcm` (content-addressed, written through `tmp/` with
/// fsync + rename before the row is inserted), `store.lock` (flock: imports shared, maintenance exclusive),
/// `init.lock` (serialises creation and migrations).
public final class DICOMStore: @unchecked Sendable {
    public let root: String
    let db: DatabasePool
    private var lockFD: Int32 = -1
    /// Seconds to wait for the store lock held by another process before failing busy (`--wait`).
    public var lockWait: Double = 5

    public var objectsDirectory: String { root + "/objects" }
    public var tmpDirectory: String { root + "/tmp" }

    /// Opens (and with `create`, creates) the store at `root`, running pending migrations.
    public init(root: String, create: Bool = true) throws {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
        if !isDirectory(r) {
            guard create else { throw StoreError("no store here", path: r) }
            try createDirectories(r)
        }
        try createDirectories(r + "/objects")
        try createDirectories(r + "/tmp", mode: 0o700)
        chmod(r + "/tmp", 0o700)
        let initLock = try FileLock(path: r + "/init.lock")
        try initLock.lock(exclusive: true)
        defer { initLock.close() }
        var config = Configuration()
        config.busyMode = .timeout(120)
        config.label = "dicom-media-store"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Removed rows (store remove, reconcile) are overwritten with zeros, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        do {
            db = try DatabasePool(path: r + "/index.sqlite", configuration: config)
            try DICOMStore.migrator.migrate(db)
        } catch let e as DatabaseError {
            throw StoreError("store index cannot be opened: \(e.message ?? "\(e)")", path: r + "/index.sqlite")
        }
    }

    /// Named migrations of the index schema (GRDB DatabaseMigrator).
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-instances") { db in
            try db.create(table: "instance") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sopInstanceUID", .text).notNull().indexed()
                t.column("sopClassUID", .text).notNull()
                t.column("transferSyntaxUID", .text).notNull()
                t.column("patientID", .text).notNull().indexed()
                t.column("patientName", .text)
                t.column("patientBirthDate", .text)
                t.column("patientSex", .text)
                t.column("studyInstanceUID", .text).notNull().indexed()
                t.column("studyDate", .text)
                t.column("studyDescription", .text)
                t.column("accessionNumber", .text)
                t.column("seriesInstanceUID", .text).notNull().indexed()
                t.column("modality", .text)
                t.column("seriesNumber", .integer)
                t.column("instanceNumber", .integer)
                t.column("size", .integer).notNull()
                t.column("sha256", .text).notNull().unique()
                t.column("path", .text).notNull().unique()
                t.column("conflict", .boolean).notNull().defaults(to: false)
                t.column("sourceKind", .text).notNull()
                t.column("sourceLocation", .text).notNull()
                t.column("sourceFileSetID", .text)
                t.column("sourceFileSetUID", .text)
                t.column("sourceFileID", .text)
                t.column("sourcePath", .text).notNull()
                t.column("importedAt", .text).notNull()
            }
        }
        m.registerMigration("v2-series-description-body-part") { db in
            try db.alter(table: "instance") { t in
                t.add(column: "seriesDescription", .text)
                t.add(column: "bodyPartExamined", .text)
            }
        }
        return m
    }

    /// The relative path of the object holding content with this hash.
    public static func objectPath(sha256: String) -> String {
        "objects/\(sha256.prefix(2))/\(sha256).dcm"
    }

    public func absolutePath(_ instance: StoredInstance) -> String { root + "/" + instance.path }

    // MARK: Locks

    /// Holds the store lock shared (imports) or exclusive (reconcile, remove, verify) while `body` runs;
    /// waits up to `lockWait` seconds for a conflicting holder, then fails "store busy (locked by pid N since T)".
    func withStoreLock<R>(exclusive: Bool, _ body: () throws -> R) throws -> R {
        let l: LockFile
        do { l = try storeLock(exclusive: exclusive, wait: lockWait) } catch let b as LockFile.Busy { throw StoreError(b.description, path: root) }
        defer { l.release() }
        return try body()
    }

    /// Tries the exclusive store lock without waiting; nil when another process holds the lock.
    func tryExclusive<R>(_ body: () throws -> R) throws -> R? {
        let l: LockFile
        do { l = try storeLock(exclusive: true, wait: 0) } catch is LockFile.Busy { return nil }
        defer { l.release() }
        return try body()
    }

    /// `store.lock` (DICOMCore LockFile: opened without following links; an exclusive holder writes its pid and start time).
    private func storeLock(exclusive: Bool, wait: Double) throws -> LockFile {
        do {
            return try LockFile.acquire(directory: root, name: "store.lock", mode: exclusive ? .exclusive : .shared, wait: wait, what: "store")
        } catch let f as LockFile.Failure {
            throw StoreError(f.message, path: f.path)
        }
    }

    // MARK: Queries

    public func count() throws -> Int {
        try db.read { try StoredInstance.fetchCount($0) }
    }

    /// Every instance, in patient / study / series / instance-number order.
    public func allInstances() throws -> [StoredInstance] {
        try select()
    }

    /// Instances of the given patients, studies or series (any match; all when every list is empty),
    /// in patient / study / series / instance-number order. Their files (`absolutePath`) are inputs
    /// `FileSetCreator.create` takes as they are.
    public func select(patients: [String] = [], studies: [String] = [], series: [String] = [],
                       instances: [String] = []) throws -> [StoredInstance] {
        try db.read { db in
            var conds: [String] = []
            var args: [DatabaseValueConvertible] = []
            func add(_ col: String, _ values: [String]) {
                guard !values.isEmpty else { return }
                conds.append("\(col) IN (\(values.map { _ in "?" }.joined(separator: ",")))")
                args += values as [DatabaseValueConvertible]
            }
            add("patientID", patients); add("studyInstanceUID", studies); add("seriesInstanceUID", series)
            add("sopInstanceUID", instances)
            var sql = "SELECT * FROM instance"
            if !conds.isEmpty { sql += " WHERE " + conds.joined(separator: " OR ") }
            sql += " ORDER BY patientID, studyInstanceUID, seriesInstanceUID, instanceNumber IS NULL, instanceNumber, sopInstanceUID, id"
            return try StoredInstance.fetchAll(db, sql: sql, arguments: StatementArguments(args))
        }
    }

    /// Which of the hashes are already stored.
    public func storedHashes(_ hashes: [String]) throws -> Set<String> {
        guard !hashes.isEmpty else { return [] }
        return try db.read { db in
            var out = Set<String>()
            for chunk in stride(from: 0, to: hashes.count, by: 500) {
                let part = Array(hashes[chunk..<min(chunk + 500, hashes.count)])
                let sql = "SELECT sha256 FROM instance WHERE sha256 IN (\(part.map { _ in "?" }.joined(separator: ",")))"
                for h in try String.fetchAll(db, sql: sql, arguments: StatementArguments(part)) { out.insert(h) }
            }
            return out
        }
    }

    /// Whether some row has this SOP Instance UID.
    public func hasSOPInstance(_ uid: String) throws -> Bool {
        try db.read { try Int.fetchOne($0, sql: "SELECT 1 FROM instance WHERE sopInstanceUID = ? LIMIT 1", arguments: [uid]) != nil }
    }

    /// What storing an instance found.
    public enum Outcome: Sendable { case inserted, conflict, alreadyPresent }

    /// Inserts rows in one IMMEDIATE transaction; each is classified inside it, so concurrent
    /// importers agree: same hash → already present; same SOP Instance UID, other hash → conflict.
    func insert(_ rows: [StoredInstance]) throws -> [Outcome] {
        try db.writeWithoutTransaction { db in
            var outcomes: [Outcome] = []
            try db.inTransaction(.immediate) {
                outcomes = []
                for var row in rows {
                    if try Int.fetchOne(db, sql: "SELECT 1 FROM instance WHERE sha256 = ?", arguments: [row.sha256]) != nil {
                        outcomes.append(.alreadyPresent); continue
                    }
                    row.conflict = try Int.fetchOne(db, sql: "SELECT 1 FROM instance WHERE sopInstanceUID = ? LIMIT 1", arguments: [row.sopInstanceUID]) != nil
                    try row.insert(db)
                    outcomes.append(row.conflict ? .conflict : .inserted)
                }
                return .commit
            }
            return outcomes
        }
    }

    // MARK: Storing

    /// A writing session of an import: holds the store lock shared (other imports may run; reconcile,
    /// remove and verify wait) and owns a folder `tmp/run-PID-N/` whose presence marks it as running.
    public final class ImportSession: @unchecked Sendable {
        public let store: DICOMStore
        let run: String
        init(store: DICOMStore, run: String) { self.store = store; self.run = run }

        /// Files written to the session's temporary folder, not yet durable, renamed or indexed.
        public struct Staged: @unchecked Sendable {
            var rows: [StoredInstance]
            var present: Set<String>
            /// (temporary name, row index) of the files written.
            var written: [(String, Int)]
        }
        private var counter = 0

        /// Stores files with their rows, crash-safely: ``stage(_:)`` then ``commit(_:)``.
        public func store(_ items: [(row: StoredInstance, bytes: [UInt8])]) throws -> [Outcome] {
            try commit(stage(items))
        }

        /// Step 1: writes the content not yet indexed to the session's temporary folder (in parallel).
        /// A later batch may be staged while an earlier one commits (on another thread).
        public func stage(_ items: [(row: StoredInstance, bytes: [UInt8])]) throws -> Staged {
            let root = store.root
            let present = try store.storedHashes(items.map(\.row.sha256))
            var toWrite: [(String, Int)] = []
            var planned = Set<String>()
            for (i, it) in items.enumerated() where !present.contains(it.row.sha256) && !planned.contains(it.row.sha256) {
                planned.insert(it.row.sha256)
                let final = root + "/" + it.row.path
                // Left by an interrupted run: complete, since it was renamed only after syncfs.
                if isRegularFile(final) && fileSize(final) == it.row.size { continue }
                counter += 1
                toWrite.append(("\(counter)-\(it.row.sha256)", i))
            }
            let errors = ConcurrentSlots<String>(count: toWrite.count)
            let run = self.run
            DispatchQueueApply.run(toWrite.count) { k in
                if let e = writeFile(run + "/" + toWrite[k].0, items[toWrite[k].1].bytes) { errors[k] = e }
            }
            if let e = errors.values.compactMap({ $0 }).first { throw StoreError(e) }
            return Staged(rows: items.map(\.row), present: present, written: toWrite)
        }

        /// Steps 2-5: syncfs (the data is durable), rename each file to `objects/ab/<sha256>.dcm`,
        /// syncfs (the renames are durable), insert the rows in one IMMEDIATE transaction that
        /// classifies each. A kill anywhere leaves rows only for complete files.
        public func commit(_ staged: Staged) throws -> [Outcome] {
            let root = store.root
            if !staged.written.isEmpty { syncFileSystem(root) }
            var dirs = Set<String>()
            for (name, i) in staged.written {
                let rel = staged.rows[i].path
                let dir = root + "/" + String(rel[..<rel.lastIndex(of: "/")!])
                if !dirs.contains(dir) { try createDirectories(dir); dirs.insert(dir) }
                if rename(run + "/" + name, root + "/" + rel) != 0 {
                    throw StoreError("cannot move into the store: \(String(cString: strerror(errno)))", path: rel)
                }
            }
            if !staged.written.isEmpty { syncFileSystem(root) }
            let fresh = staged.rows.indices.filter { !staged.present.contains(staged.rows[$0].sha256) }
            let inserted = try store.insert(fresh.map { staged.rows[$0] })
            var outcomes = [Outcome](repeating: .alreadyPresent, count: staged.rows.count)
            for (k, i) in fresh.enumerated() { outcomes[i] = inserted[k] }
            return outcomes
        }
    }

    /// Runs `body` in an import session (see ``ImportSession``); its temporary folder is removed at the end.
    /// On failure, object files renamed before it have no row: they are reconciled at once when the store
    /// is idle, else an empty marker `tmp/failed-PID-N` leaves that to the next command.
    public func importSession<R>(_ body: (ImportSession) throws -> R) throws -> R {
        var started = false
        do { return try importSessionLocked { started = true; return try body($0) } } catch {
            // Busy (the lock was never taken): nothing was written, nothing to clean.
            guard started else { throw error }
            let reconciled = try? tryExclusive { try reconcileLocked(force: true) }
            if reconciled == nil {
                try? createDirectories(tmpDirectory + "/failed-\(getpid())-\(UInt32.random(in: 0...UInt32.max))", mode: 0o700)
            }
            throw error
        }
    }

    private func importSessionLocked<R>(_ body: (ImportSession) throws -> R) throws -> R {
        try withStoreLock(exclusive: false) {
            let run = tmpDirectory + "/run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try createDirectories(run, mode: 0o700)
            // Removed on success and on failure; after a kill, by the next command (reconcileIfIdle).
            defer { removeTree(run) }
            return try body(ImportSession(store: self, run: run))
        }
    }

    /// Now, UTC, ISO 8601 (YYYY-MM-DDThh:mm:ssZ): the import time recorded in rows.
    public static func timestamp() -> String { LockFile.timestamp() }

    // MARK: Remove

    /// What `remove` deleted (or, dry-running, would delete).
    public struct Removal: Sendable {
        public var uid: String
        /// "study", "series", "instance" or "copy", by what the UID (and SHA-256) matched.
        public var level: String?
        public var removed: [StoredInstance]
        /// Copies left of a SOP Instance whose only unflagged copy was removed: the earliest became the unflagged one.
        public var unflagged: [StoredInstance] = []
        public var dryRun = false
        public init(uid: String, level: String?, removed: [StoredInstance], unflagged: [StoredInstance] = [], dryRun: Bool = false) {
            self.uid = uid; self.level = level; self.removed = removed; self.unflagged = unflagged; self.dryRun = dryRun
        }
    }

    /// Deletes the instances of a study, series or instance UID: rows first (one transaction), then files.
    /// With `copy` (a SHA-256, or a unique prefix of at least 8 hex digits), only that copy of the SOP
    /// Instance `uid` goes; when no unflagged copy remains, the earliest remaining one becomes the
    /// unflagged copy. With `dryRun`, nothing changes and the result says what would go.
    /// A marker in tmp/ makes an interrupted removal's files orphans that the next command reconciles.
    public func remove(uid: String, copy: String? = nil, dryRun: Bool = false) throws -> Removal {
        try withStoreLock(exclusive: true) {
            var result = Removal(uid: uid, level: nil, removed: [], dryRun: dryRun)
            let marker = tmpDirectory + "/remove-\(getpid())"
            if !dryRun { try createDirectories(marker, mode: 0o700) }
            defer { if !dryRun { removeTree(marker) } }
            try db.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    if let copy {
                        let want = copy.lowercased()
                        let rows = try StoredInstance.fetchAll(db, sql: "SELECT * FROM instance WHERE sopInstanceUID = ? ORDER BY id", arguments: [uid])
                        let hits = rows.filter { $0.sha256 == want || (want.count >= 8 && $0.sha256.hasPrefix(want)) }
                        if hits.count > 1 { throw StoreError("SHA-256 prefix \(copy) matches \(hits.count) copies of \(uid); give more digits") }
                        guard let hit = hits.first else { return .rollback }
                        result.level = "copy"
                        result.removed = [hit]
                        var rest = rows.filter { $0.id != hit.id }
                        if !rest.isEmpty && !rest.contains(where: { !$0.conflict }) {
                            rest[0].conflict = false
                            result.unflagged = [rest[0]]
                            if !dryRun { try db.execute(sql: "UPDATE instance SET conflict = 0 WHERE id = ?", arguments: [rest[0].id]) }
                        }
                        if !dryRun { try db.execute(sql: "DELETE FROM instance WHERE id = ?", arguments: [hit.id]) }
                        return dryRun ? .rollback : .commit
                    }
                    for (level, col) in [("study", "studyInstanceUID"), ("series", "seriesInstanceUID"), ("instance", "sopInstanceUID")] {
                        let rows = try StoredInstance.fetchAll(db, sql: "SELECT * FROM instance WHERE \(col) = ? ORDER BY id", arguments: [uid])
                        if rows.isEmpty { continue }
                        if !dryRun { try db.execute(sql: "DELETE FROM instance WHERE \(col) = ?", arguments: [uid]) }
                        result.level = level
                        result.removed = rows
                        break
                    }
                    return dryRun ? .rollback : .commit
                }
            }
            if !dryRun { for r in result.removed { unlink(absolutePath(r)) } }
            return result
        }
    }

    // MARK: Copies

    /// The SOP Instances stored in more than one copy (same SOP Instance UID, other content): each
    /// group's copies in import order (the first is normally the unflagged one).
    public func conflicts() throws -> [[StoredInstance]] {
        try db.read { db in
            let rows = try StoredInstance.fetchAll(db, sql: """
                SELECT * FROM instance WHERE sopInstanceUID IN
                  (SELECT sopInstanceUID FROM instance GROUP BY sopInstanceUID HAVING COUNT(*) > 1)
                ORDER BY sopInstanceUID, id
                """)
            var groups: [[StoredInstance]] = []
            for r in rows {
                if groups.last?.first?.sopInstanceUID == r.sopInstanceUID { groups[groups.count - 1].append(r) } else { groups.append([r]) }
            }
            return groups
        }
    }

    // MARK: Reconcile

    /// What reconciling after an interrupted import or removal did.
    public struct Reconciliation: Sendable {
        public var interrupted = false
        public var tmpRemoved = 0
        public var orphanFilesRemoved = 0
        public var rowsWithoutFileRemoved = 0
    }

    /// Brings files and rows back into agreement after a crash: when tmp/ holds leftovers of an
    /// interrupted run, deletes them, deletes object files no row names, and deletes rows whose file is
    /// gone (so the rerun stores them again). Runs only when no other process uses the store.
    public func reconcileIfIdle() throws -> Reconciliation? {
        try tryExclusive { try reconcileLocked(force: false) }
    }

    func reconcileLocked(force: Bool) throws -> Reconciliation {
        var r = Reconciliation()
        let leftovers = folderNames(tmpDirectory)
        r.interrupted = !leftovers.isEmpty
        guard r.interrupted || force else { return r }
        for name in leftovers { r.tmpRemoved += removeTree(tmpDirectory + "/" + name) }
        let known = Set(try db.read { try String.fetchAll($0, sql: "SELECT path FROM instance") })
        for f in objectFiles() where !known.contains(f) {
            unlink(root + "/" + f); r.orphanFilesRemoved += 1
        }
        let rows = try db.read { try StoredInstance.fetchAll($0) }
        let gone = rows.filter { !isRegularFile(absolutePath($0)) }.compactMap(\.id)
        if !gone.isEmpty {
            try db.write { db in
                for id in gone { _ = try StoredInstance.deleteOne(db, key: id) }
            }
            r.rowsWithoutFileRemoved = gone.count
        }
        return r
    }

    /// Every file under objects/, relative to the store root.
    func objectFiles() -> [String] {
        var out: [String] = []
        for sub in folderNames(objectsDirectory).sorted() {
            let dir = objectsDirectory + "/" + sub
            guard isDirectory(dir) else { out.append("objects/" + sub); continue }
            for f in folderNames(dir).sorted() { out.append("objects/\(sub)/\(f)") }
        }
        return out
    }

    // MARK: Verify

    /// One problem `verify` found.
    public struct Problem: Sendable, CustomStringConvertible {
        public var code: String
        public var message: String
        public var path: String?
        public var description: String { "[\(code)] " + (path.map { $0 + ": " } ?? "") + message }
        public var json: JSON {
            .object([("code", .string(code)), ("message", .string(message)), ("path", path.map { .string($0) } ?? .null)])
        }
    }

    public struct Verification: Sendable {
        public var instances = 0
        public var bytes = 0
        public var problems: [Problem] = []
    }

    /// Checks every file is present with its size and SHA-256, its SOP Instance UID and transfer syntax
    /// match its row, no file lacks a row, no temporary file is left, and SQLite's integrity check passes.
    public func verify(progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Verification {
        try withStoreLock(exclusive: true) {
            var v = Verification()
            let integrity = try db.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            if integrity != ["ok"] {
                v.problems.append(Problem(code: "index-corrupt", message: integrity.joined(separator: "; "), path: "index.sqlite"))
            }
            let rows = try db.read { try StoredInstance.fetchAll($0, sql: "SELECT * FROM instance ORDER BY id") }
            v.instances = rows.count
            let results = ConcurrentSlots<[Problem]>(count: rows.count)
            let done = ConcurrentCounter()
            DispatchQueueApply.run(rows.count) { i in
                results[i] = self.check(rows[i])
                let n = done.increment()
                if let progress, n % 64 == 0 || n == rows.count { progress(n, rows.count) }
            }
            for p in results.values { v.problems += p ?? [] }
            v.bytes = rows.reduce(0) { $0 + $1.size }
            // Each SOP Instance UID has exactly one row that is not a conflict copy.
            var firsts: [String: Int] = [:]
            for r in rows where !r.conflict { firsts[r.sopInstanceUID, default: 0] += 1 }
            for r in rows where firsts[r.sopInstanceUID] == nil {
                v.problems.append(Problem(code: "conflict-without-original", message: "SOP Instance \(r.sopInstanceUID) has only conflict copies", path: r.path))
                firsts[r.sopInstanceUID] = 1
            }
            for (uid, n) in firsts where n > 1 {
                v.problems.append(Problem(code: "duplicate-instance", message: "SOP Instance \(uid) has \(n) rows not flagged as conflicts", path: nil))
            }
            let known = Set(rows.map(\.path))
            for f in objectFiles() where !known.contains(f) {
                v.problems.append(Problem(code: "orphan-file", message: "file has no index row", path: f))
            }
            for name in folderNames(tmpDirectory) {
                v.problems.append(Problem(code: "interrupted", message: "left over by an interrupted import or removal; the next import reconciles it", path: "tmp/" + name))
            }
            return v
        }
    }

    func check(_ r: StoredInstance) -> [Problem] {
        var out: [Problem] = []
        if r.path != DICOMStore.objectPath(sha256: r.sha256) {
            out.append(Problem(code: "bad-path", message: "row's path does not follow its SHA-256", path: r.path))
        }
        let bytes: [UInt8]
        do { bytes = try readWholeFile(absolutePath(r)) } catch {
            return out + [Problem(code: "file-missing", message: "file of SOP Instance \(r.sopInstanceUID) is missing or unreadable", path: r.path)]
        }
        if bytes.count != r.size {
            out.append(Problem(code: "size-changed", message: "size \(bytes.count), index says \(r.size)", path: r.path))
        }
        if SHA256Hasher.hex(of: bytes) != r.sha256 {
            out.append(Problem(code: "hash-changed", message: "SHA-256 differs from the index", path: r.path))
            return out + completeness(bytes, r)
        }
        do {
            let f = try Part10Reader.read(bytes: bytes, path: r.path, options: .headerOnly)
            let uid = f.dataSet.string(.sopInstanceUID) ?? f.fileMeta.string(.mediaStorageSOPInstanceUID) ?? ""
            if uid != r.sopInstanceUID {
                out.append(Problem(code: "index-mismatch", message: "file's SOP Instance UID \(uid), index says \(r.sopInstanceUID)", path: r.path))
            }
            if f.transferSyntax.uid != r.transferSyntaxUID {
                out.append(Problem(code: "index-mismatch", message: "file's transfer syntax \(f.transferSyntax.uid), index says \(r.transferSyntaxUID)", path: r.path))
            }
        } catch {
            out.append(Problem(code: "file-unreadable", message: "\(error)", path: r.path))
        }
        return out + completeness(bytes, r)
    }

    /// Complete instance (PS3.10 §7): a copy stored cut short is found even when its hash matches.
    func completeness(_ bytes: [UInt8], _ r: StoredInstance) -> [Problem] {
        do { try Completeness.check(bytes: bytes, path: r.path) } catch let e as DICOMParseError {
            return [Problem(code: e.code == .incomplete ? "file-incomplete" : "file-unreadable", message: "SOP Instance \(r.sopInstanceUID) is not a complete instance: \(e.located)", path: r.path)]
        } catch {}
        return []
    }
}

// MARK: - Small POSIX helpers

/// A flock(2) lock on a file.
final class FileLock {
    let fd: Int32
    init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw StoreError("cannot open lock: \(String(cString: strerror(errno)))", path: path) }
    }
    func lock(exclusive: Bool) throws {
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            if errno != EINTR { throw StoreError("cannot lock: \(String(cString: strerror(errno)))") }
        }
    }
    func tryLockExclusive() throws -> Bool {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
        if errno == EWOULDBLOCK { return false }
        throw StoreError("cannot lock: \(String(cString: strerror(errno)))")
    }
    func close() { Glibc.close(fd) }
}

/// Creates a folder and its missing parents; the last one gets `mode` (temporary folders: 0700).
func createDirectories(_ path: String, mode: mode_t = 0o755) throws {
    do { try makeDirectories(path, mode: mode) } catch { throw StoreError("cannot create folder: \(error.text)", path: path) }
}


/// syncfs(2) on the file system holding `path`: one durability barrier for a whole batch of files.
func syncFileSystem(_ path: String) {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 { _ = dm_syncfs(fd); close(fd) }
}

enum DispatchQueueApply {
    static func run(_ n: Int, _ body: (Int) -> Void) {
        if n == 0 { return }
        DispatchQueue.concurrentPerform(iterations: n, execute: body)
    }
}

/// Writes a new file (O_EXCL, mode 0600: stored copies hold patients' data); an error message or nil.
func writeFile(_ path: String, _ bytes: [UInt8]) -> String? {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if fd < 0 { return "cannot create \(path): \(String(cString: strerror(errno)))" }
    defer { close(fd) }
    var written = 0
    return bytes.withUnsafeBytes { p -> String? in
        while written < p.count {
            let n = write(fd, p.baseAddress! + written, p.count - written)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return "cannot write \(path): \(String(cString: strerror(errno)))" }
            written += n
        }

        return nil
    }
}

/// Reads a whole file with read(2).
public func readWholeFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw StoreError("cannot open: \(String(cString: strerror(errno)))", path: path) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw StoreError("cannot stat: \(String(cString: strerror(errno)))", path: path) }
    let size = Int(st.st_size)
    var failure: String?
    let buf = [UInt8](unsafeUninitializedCapacity: size) { p, count in
        var done = 0
        while done < size {
            let n = read(fd, p.baseAddress! + done, size - done)
            if n < 0 {
                if errno == EINTR { continue }
                failure = "read failed at byte \(done): \(String(cString: strerror(errno)))"; break
            }
            if n == 0 { break }  // the file shrank while being read
            done += n
        }
        count = done
    }
    if let failure { throw StoreError(failure, path: path) }
    return buf
}
