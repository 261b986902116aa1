import DICOMCore
import FileSystem
import GRDB
#if canImport(Glibc)
import Glibc
#endif

extension DICOMStore {
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
                        if hits.count > 1 {
                            throw StoreError(.ambiguousCopy, "SHA-256 prefix \(copy) matches \(hits.count) copies of \(uid); give more digits")
                        }
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
}
