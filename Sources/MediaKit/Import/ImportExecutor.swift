import DICOMCore
import DICOMFileSet
import DICOMStore
import Dispatch
import Synchronization

/// Carries an ``ImportPlan`` into the store: reads each planned file (in parallel, batch by batch),
/// checks and transforms it, and stores each new instance crash-safely (temp file, syncfs, rename,
/// syncfs, then the row). A dry run (or no store yet) classifies against the store and writes nothing.
public struct ImportExecutor {
    public var plan: ImportPlan
    /// nil only for a dry run against a store that does not exist yet.
    public var store: DICOMStore?
    public var options: ImportOptions

    public init(plan: ImportPlan, store: DICOMStore?, options: ImportOptions) {
        self.plan = plan; self.store = store; self.options = options
    }

    /// Runs the plan; the report starts from the plan's findings. `progress(done, total)` after each batch.
    /// The executor is used up: each batch's candidates (paths, records) are let go once it is read.
    public consuming func run(progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ImportReport {
        var report = plan.findings
        if options.dryRun { report.plan = (plan.text, plan.json) }
        let total = plan.fileCount
        // The plan's lists are moved out (the report's lists are then held once, so they spill; see SpillList).
        plan.findings = ImportReport(store: report.store, dryRun: report.dryRun)
        var media = plan.media
        plan.media = []
        if let store, !options.dryRun {
            report.reconciliation = try store.reconcileIfIdle()
        }
        let key = options.provenanceKey ?? (0..<32).map { _ in UInt8.random(in: 0...255) }
        var done = 0
        let body = { (session: DICOMStore.ImportSession?) throws in
            // Batch N commits (syncfs, renames, rows) on another thread while batch N+1 is read and staged.
            let committer = Committer()
            // On an error, no commit may go on after the session ends.
            defer { committer.wait() }
            do {
                media: for m in media.indices {
                    let count = media[m].candidates.count
                    var start = 0
                    while start < count {
                        if options.shouldStop?() == true {
                            report.stopped = true
                            break media
                        }
                        var end = start, bytes = 0
                        while end < count && end - start < max(1, options.batchSize) && bytes < options.batchBytes {
                            bytes += media[m].sizes[media[m].candidates[end].path] ?? 0; end += 1
                        }
                        try importBatch(
                            Array(media[m].candidates[start..<end]), of: media[m], key: key, session: session, committer: committer, report: &report)
                        // Read and staged: its candidates are not needed again (memory stays flat however many files).
                        for k in start..<end { media[m].candidates[k] = ImportPlan.Candidate(path: "", record: nil) }
                        done += end - start
                        progress?(done, total)
                        start = end
                    }
                }
                try committer.finish(&report)
            } catch {
                // What the batch committing in the background stored goes into the report before the session ends. When
                // its commit failed (a full disk: the next batch's files, removed since, took the room), it is tried once more.
                if session != nil { committer.retryFailed() }
                try? committer.finish(&report)
                throw error
            }
        }
        if let store, !options.dryRun {
            do {
                try store.importSession { try body($0) }
            } catch let e as StoreError where !report.imported.isEmpty {
                // Writing the store failed after part was stored (a full disk): the report says what is stored, which
                // is complete, and how many files were not; the files of the batch being written count as not read.
                report.interrupted = e.description
                report.notRead = total - done
            }
        } else {
            try body(nil)
        }
        return report
    }

    func importBatch(
        _ cands: [ImportPlan.Candidate], of medium: ImportPlan.MediumPlan, key: [UInt8], session: DICOMStore.ImportSession?,
        committer: Committer, report: inout ImportReport
    ) throws {
        let location = medium.medium.location
        let writer = options.dryRun ? nil : session
        var names: [Int: String] = [:]
        let ready = try Self.prepare(
            cands, of: medium, options: options, key: key, store: options.dryRun ? nil : store, session: writer, keepBytes: !options.dryRun,
            written: &names, report: &report)
        guard let session, !options.dryRun else {
            let present = try store?.storedHashes(ready.map(\.1.sha256)) ?? []
            var seenSHA = Set<String>(), seenUID = Set<String>()
            for (i, row, _) in ready {
                let item = ImportReport.Item(
                    sopInstanceUID: row.sopInstanceUID, source: location, sourcePath: cands[i].path, storedPath: nil, sha256: row.sha256)
                if present.contains(row.sha256) || seenSHA.contains(row.sha256) { report.alreadyPresent.append(item); continue }
                let known = try store?.hasSOPInstance(row.sopInstanceUID) ?? false
                if known || seenUID.contains(row.sopInstanceUID) { report.conflicts.append(item) } else { report.imported.append(item) }
                seenSHA.insert(row.sha256); seenUID.insert(row.sopInstanceUID)
            }
            return
        }
        let staged: DICOMStore.ImportSession.Staged
        do {
            staged = try session.stage(written: ready.map { (row: $0.1, name: names[$0.0]) })
            try committer.finish(&report)
        } catch {
            // This batch will not be committed: its files go, so that a retry of the earlier batch finds room.
            session.discard(names.values)
            throw error
        }
        let items = ready.map { i, row, _ in
            ImportReport.Item(sopInstanceUID: row.sopInstanceUID, source: location, sourcePath: cands[i].path, storedPath: row.path, sha256: row.sha256)
        }
        committer.start(items) { try session.commit(staged) }
    }

    /// Reads, checks and transforms a batch of one medium's files (in parallel): the instances ready to store (candidate
    /// index, row, bytes); files refused or not DICOM go into the report, and a DICOMDIR that does not list DICOM files is stale.
    /// With `store`, the bytes of an instance whose content the store already holds are dropped as soon as it is hashed
    /// (it is not written again): a batch holds only what it writes, and an import of media already stored stays small.
    /// `keepBytes` false drops each file's bytes once it is hashed (only the rows are wanted: a dry run, a reconciliation).
    static func prepare(
        _ cands: [ImportPlan.Candidate], of medium: ImportPlan.MediumPlan, options: ImportOptions, key: [UInt8], store: DICOMStore? = nil,
        keepBytes: Bool = true, report: inout ImportReport
    ) -> [(Int, StoredInstance, [UInt8])] {
        var none: [Int: String] = [:]
        // Without a session nothing is written, so nothing throws.
        return
            (try? prepare(
                cands, of: medium, options: options, key: key, store: store, session: nil, keepBytes: keepBytes, written: &none, report: &report)) ?? []
    }

    /// ``prepare(_:of:options:key:store:keepBytes:report:)`` that, with `session`, also writes each new instance to the session's
    /// temporary folder as soon as it is hashed (one pass per file; its bytes are then dropped): `written` maps the
    /// candidate index to the temporary name. Throws the first write failure (a full disk).
    static func prepare(
        _ cands: [ImportPlan.Candidate], of medium: ImportPlan.MediumPlan, options: ImportOptions, key: [UInt8], store: DICOMStore?,
        session: DICOMStore.ImportSession?, keepBytes: Bool = true, written: inout [Int: String], report: inout ImportReport
    ) throws -> [(Int, StoredInstance, [UInt8])] {
        let now = DICOMStore.timestamp()
        let slots = ConcurrentSlots<PreparedInstance>(count: cands.count)
        let names = ConcurrentSlots<String>(count: cands.count)
        let failures = ConcurrentSlots<any Error>(count: cands.count)
        if !cands.isEmpty {
            DispatchQueue.concurrentPerform(iterations: cands.count) { i in
                var p = PreparedInstance(cands[i], of: medium, options: options, provenanceKey: key, importedAt: now)
                if let store, case .ready(let row, let bytes, let warnings) = p {
                    // Content in the store stays there (nothing removes it while the import session holds the store lock).
                    if (try? store.storedHashes([row.sha256]))?.isEmpty == false {
                        p = .ready(row, [], warnings)
                    } else if let session {
                        do { names[i] = try session.write(row, bytes) } catch { failures[i] = error }
                        p = .ready(row, [], warnings)
                    }
                }
                if !keepBytes, case .ready(let row, _, let warnings) = p { p = .ready(row, [], warnings) }
                slots[i] = p
            }
        }
        if let e = failures.values.lazy.compactMap({ $0 }).first {
            // The batch fails as a whole: what it wrote goes (the room it took may be what an earlier commit needs).
            session?.discard(names.values.compactMap { $0 })
            throw e
        }
        for (i, name) in names.values.enumerated() { if let name { written[i] = name } }
        let location = medium.medium.location
        var ready: [(Int, StoredInstance, [UInt8])] = []
        for (i, p) in slots.values.enumerated() {
            let c = cands[i]
            switch p {
            case .ready(let row, let bytes, let warnings):
                for w in warnings { report.problems.append((location, w)) }
                ready.append((i, row, bytes))
            case .notDICOM(let why):
                if c.record != nil {
                    report.failed.append(.init(source: location, path: c.path, reason: "named by the DICOMDIR but not DICOM: \(why)"))
                } else {
                    report.notDICOM.append(.init(source: location, path: c.path, reason: why))
                }
            case .failed(let why):
                report.failed.append(.init(source: location, path: c.path, reason: why))
            case .none: break
            }
        }
        // A DICOM instance the DICOMDIR does not list makes it stale.
        let unlisted = ready.filter { cands[$0.0].record == nil }.count
        if unlisted > 0, let mi = report.media.lastIndex(where: { $0.location == location }), report.media[mi].dicomdir != "missing",
            report.media[mi].dicomdir != "broken"
        {
            if report.media[mi].dicomdir != "stale" {
                report.problems.append(
                    (
                        location,
                        FileSetProblem(
                            .warning, .importDICOMDIRStale, "the DICOMDIR does not list DICOM files on the medium; they were found by scanning and imported",
                            rule: "PS3.10 8.3")
                    ))
            }
            report.media[mi].dicomdir = "stale"
            report.media[mi].note = "DICOMDIR is stale: followed it and scanned the files it does not list"
        }
        return ready
    }

    /// Runs one batch's commit at a time on a background thread; its outcomes go into the report
    /// (on the caller's thread) when the next batch is staged or at the end.
    final class Committer: Sendable {
        typealias Work = @Sendable () throws -> [DICOMStore.Outcome]
        private let group = DispatchGroup()
        /// The batch being committed, its work and, once done, its outcome (a failed batch stays, for ``retryFailed()``).
        private let state = Mutex<(items: [ImportReport.Item], result: Result<[DICOMStore.Outcome], any Error>?, work: Work?)>(([], nil, nil))

        func start(_ items: [ImportReport.Item], _ work: @escaping Work) {
            state.withLock { $0 = (items, nil, work) }
            group.enter()
            DispatchQueue.global().async {
                let r = Result { try work() }
                self.state.withLock { $0.result = r }
                self.group.leave()
            }
        }

        func wait() { group.wait() }

        /// Runs the last batch's commit once more when it failed (on the caller's thread).
        func retryFailed() {
            group.wait()
            let work = state.withLock { s -> Work? in
                if case .failure = s.result { return s.work }
                return nil
            }
            guard let work else { return }
            let r = Result { try work() }
            state.withLock { $0.result = r }
        }

        func finish(_ report: inout ImportReport) throws {
            group.wait()
            let (items, result) = state.withLock { s in (s.items, s.result) }
            guard let result else { return }
            let outcomes = try result.get()
            state.withLock { $0 = ([], nil, nil) }
            for (k, item) in items.enumerated() {
                switch outcomes[k] {
                case .inserted: report.imported.append(item)
                case .conflict: report.conflicts.append(item)
                case .alreadyPresent: report.alreadyPresent.append(item)
                }
            }
        }
    }
}
