import DICOMCore
import FileSystem

import GRDB
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

extension DICOMStore {
    /// A writing session of an import: holds the store lock shared (other imports may run; reconcile,
    /// remove and verify wait) and owns a folder `tmp/run-PID-N/` whose presence marks it as running.
    public final class ImportSession: Sendable {
        public let store: DICOMStore
        let run: String
        init(store: DICOMStore, run: String) { self.store = store; self.run = run }

        /// Files written to the session's temporary folder, not yet durable, renamed or indexed.
        public struct Staged: Sendable {
            var rows: [StoredInstance]
            var present: Set<String>
            /// (temporary name, row index) of the files written.
            var written: [(String, Int)]
        }
        /// Numbers the session's temporary files.
        private let counter = Mutex(0)

        /// Stores files with their rows, crash-safely: ``stage(_:)`` then ``commit(_:)``.
        public func store(_ items: [(row: StoredInstance, bytes: [UInt8])]) throws -> [Outcome] {
            try commit(stage(items))
        }

        /// Step 1: writes the content not yet indexed to the session's temporary folder (in parallel).
        /// A later batch may be staged while an earlier one commits (on another thread).
        public func stage(_ items: [(row: StoredInstance, bytes: [UInt8])]) throws -> Staged {
            let present = try store.storedHashes(items.map(\.row.sha256))
            let names = ConcurrentSlots<String>(count: items.count)
            let errors = ConcurrentSlots<StoreError>(count: items.count)
            concurrentlyPerform(items.count) { i in
                guard !present.contains(items[i].row.sha256) else { return }
                do { names[i] = try self.write(items[i].row, items[i].bytes) } catch { errors[i] = error as? StoreError }
            }
            if let e = errors.values.compactMap({ $0 }).first { throw e }
            return try stage(written: Array(zip(items.map(\.row), names.values)))
        }

        /// Step 1 for one file, on any thread (the read, hash and write of a file in one pass): writes it under a
        /// new temporary name in the session's folder; the name, or nil when an
        /// interrupted run left the object complete in place (it was renamed only after syncfs).
        public func write(_ row: StoredInstance, _ bytes: [UInt8]) throws -> String? {
            let final = store.root + "/" + row.path
            if isRegularFile(final) && fileSize(final) == row.size { return nil }
            let n = counter.withLock {
                $0 += 1; return $0
            }
            let name = "\(n)-\(row.sha256)"
            if let e = writeFile(run + "/" + name, bytes) { throw e }
            return name
        }

        /// Step 1 for a batch whose files ``write(_:_:)`` wrote (name nil: not written): content the store now
        /// holds, or that an earlier file of the batch wrote, is not moved in (its temporary file is removed).
        public func stage(written items: [(row: StoredInstance, name: String?)]) throws -> Staged {
            let present = try store.storedHashes(items.map(\.row.sha256))
            var toMove: [(String, Int)] = []
            var planned = Set<String>()
            for (i, it) in items.enumerated() {
                guard let name = it.name else { continue }
                if present.contains(it.row.sha256) || planned.contains(it.row.sha256) {
                    unlink(run + "/" + name)
                    continue
                }
                planned.insert(it.row.sha256)
                toMove.append((name, i))
            }
            return Staged(rows: items.map(\.row), present: present, written: toMove)
        }

        /// Removes files ``write(_:_:)`` wrote that will not be committed (their batch failed), freeing their space.
        public func discard(_ names: some Sequence<String>) {
            for name in names { unlink(run + "/" + name) }
        }

        /// Steps 2-5: syncfs (the data is durable), rename each file to `objects/ab/<sha256>.dcm`,
        /// syncfs (the renames are durable), insert the rows in one IMMEDIATE transaction that
        /// classifies each. A kill anywhere leaves rows only for complete files; a failed commit may be run again.
        public func commit(_ staged: Staged) throws -> [Outcome] {
            let root = store.root
            if !staged.written.isEmpty { syncFileSystem(root) }
            var dirs = Set<String>()
            for (name, i) in staged.written {
                let rel = staged.rows[i].path
                let dir = root + "/" + String(rel[..<rel.lastIndex(of: "/")!])
                if !dirs.contains(dir) { try createDirectories(dir); dirs.insert(dir) }
                if rename(run + "/" + name, root + "/" + rel) != 0 {
                    let e = errno
                    // Moved by an earlier try of this commit (retried after a full disk): nothing to do.
                    if e == ENOENT && isRegularFile(root + "/" + rel) && fileSize(root + "/" + rel) == staged.rows[i].size { continue }
                    throw StoreError(.io, "cannot move into the store", path: rel, errno: e, call: "rename")
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
        do {
            return try importSessionLocked {
                started = true; return try body($0)
            }
        } catch {
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
}
