import DICOMCore
import FileSystem
import Foundation
import GRDB
import Synchronization

// The jobs live in `STATE/jobs.sqlite` (GRDB, WAL, named migrations as the store's index). A station holds
// `STATE/station.lock` exclusive while it runs (`lock(state:)`), so two stations never share one state folder; `recover`
// runs once at start, before any job is claimed, and settles the jobs a killed station left running.
/// The station's job queue in SQLite: create, claim, progress, log, finish, cancel, retry, recover.
public final class JobStore: Sendable {
    let pool: DatabasePool
    /// When each running job's progress was last written.
    let lastProgress = Mutex<[Int64: Double]>([:])
    /// Rung when a job may have become claimable.
    let doorbell = Doorbell()
    public let path: String

    /// Opens (creating it) the job database in the `state` folder.
    public init(state: String) throws(StationError) {
        path = state + "/jobs.sqlite"
        do {
            try makeDirectories(state, mode: 0o700)
            var config = Configuration()
            config.busyMode = .timeout(30)
            config.label = "dicom-media-station"
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw StationError(.jobDatabase, "the job database cannot be opened: \(error)", path: path, cause: error)
        }
    }

    /// Takes `STATE/station.lock` exclusive without waiting: another station running on this state folder is `station-busy`.
    public static func lock(state: String) throws(StationError) -> LockFile {
        do {
            try makeDirectories(state, mode: 0o700)
            return try LockFile.acquire(directory: state, name: "station.lock", mode: .exclusive, wait: 0, what: "station")
        } catch let e as CoreError where e.code == .busy {
            throw StationError(.stationBusy, "another station uses this state folder: \(e.message)", path: state, cause: e)
        } catch {
            throw StationError(.jobDatabase, "the station lock cannot be taken: \(error)", path: state, cause: error)
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-jobs") { db in
            try db.create(table: "job") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("state", .text).notNull().indexed()
                t.column("title", .text).notNull()
                t.column("request", .text).notNull()
                t.column("resource", .text)
                t.column("created", .text).notNull()
                t.column("started", .text)
                t.column("finished", .text)
                t.column("done", .integer).notNull().defaults(to: 0)
                t.column("total", .integer).notNull().defaults(to: 0)
                t.column("reason", .text)
                t.column("report", .text)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("cancelRequested", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "jobLog") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("job", .integer).notNull().indexed().references("job", onDelete: .cascade)
                t.column("time", .text).notNull()
                t.column("level", .text).notNull()
                t.column("message", .text).notNull()
            }
        }
        m.registerMigration("v2-watched") { db in
            // Each source a watch turned into a job, by its signature: a source is imported once until it changes.
            try db.create(table: "watched") { t in
                t.primaryKey("path", .text)
                t.column("signature", .text).notNull()
                t.column("job", .integer)
            }
        }
        m.registerMigration("v3-arrivals") { db in
            // Instances received by the station's SCP, one row per calling AE and study, waiting for the rules.
            try db.create(table: "arrival") { t in
                t.column("callingAE", .text).notNull()
                t.column("study", .text).notNull()
                t.column("patient", .text).notNull()
                t.column("last", .double).notNull()
                t.column("count", .integer).notNull()
                t.column("pending", .boolean).notNull()
                t.primaryKey(["callingAE", "study"])
            }
        }
        return m
    }

    // MARK: Received instances

    /// A study's instances not yet published: its calling AE, study, patient, when the last came and how many.
    public struct Arrival: Sendable, Equatable {
        public var callingAE: String
        public var study: String
        public var patient: String
        public var last: Double
        public var count: Int
    }

    /// Records an instance the SCP stored.
    public func arrived(_ callingAE: String, study: String, patient: String, at time: Double) throws(StationError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO arrival (callingAE, study, patient, last, count, pending) VALUES (?, ?, ?, ?, 1, 1)
                    ON CONFLICT (callingAE, study) DO UPDATE SET last = excluded.last, patient = excluded.patient,
                      count = CASE WHEN pending THEN count + 1 ELSE 1 END, pending = 1
                    """, arguments: [callingAE, study, patient, time])
        }
    }

    /// The studies received and not yet published.
    public func pendingArrivals() throws(StationError) -> [Arrival] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM arrival WHERE pending ORDER BY last").map {
                Arrival(callingAE: $0["callingAE"], study: $0["study"], patient: $0["patient"], last: $0["last"], count: $0["count"])
            }
        }
    }

    /// Queues publish jobs for received studies and marks those studies published, in one transaction; a study that
    /// received another instance since it was read stays pending.
    @discardableResult
    public func createScheduled(_ requests: [(title: String, request: String, resource: String?)], settling arrivals: [Arrival]) throws(StationError) -> [Job] {
        let ids: [Int64] = try write { db in
            var ids: [Int64] = []
            for r in requests {
                try db.execute(
                    sql: "INSERT INTO job (kind, state, title, request, resource, created) VALUES ('publish', 'queued', ?, ?, ?, ?)",
                    arguments: [r.title, r.request, r.resource, LockFile.timestamp()])
                ids.append(db.lastInsertedRowID)
                try db.execute(
                    sql: "INSERT INTO jobLog (job, time, level, message) VALUES (?, ?, 'info', 'made by a rule once the study was quiet')",
                    arguments: [db.lastInsertedRowID, LockFile.timestamp()])
            }
            for a in arrivals {
                try db.execute(sql: "UPDATE arrival SET pending = 0 WHERE callingAE = ? AND study = ? AND last = ?", arguments: [a.callingAE, a.study, a.last])
            }
            return ids
        }
        // Read before the ring: the answer is each job as queued, not as a worker may have claimed it since.
        let made = try ids.map { id throws(StationError) in try job(id) }
        doorbell.ring()
        return made
    }

    // MARK: Watched sources

    /// The signature a watched source had when it last became a job, or nil.
    public func watchedSignature(_ path: String) throws(StationError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT signature FROM watched WHERE path = ?", arguments: [path]) }
    }

    /// Queues an import job for a watched source and records its signature, in one transaction.
    @discardableResult
    public func createWatched(path: String, signature: String, title: String, request: String) throws(StationError) -> Job {
        let id = try write { db in
            try db.execute(
                sql: "INSERT INTO job (kind, state, title, request, created) VALUES ('import', 'queued', ?, ?, ?)",
                arguments: [title, request, LockFile.timestamp()])
            let id = db.lastInsertedRowID
            try db.execute(sql: "INSERT OR REPLACE INTO watched (path, signature, job) VALUES (?, ?, ?)", arguments: [path, signature, id])
            try db.execute(
                sql: "INSERT INTO jobLog (job, time, level, message) VALUES (?, ?, 'info', ?)",
                arguments: [id, LockFile.timestamp(), "found by the watch: \(path)"])
            return id
        }
        let made = try job(id)
        doorbell.ring()
        return made
    }

    // MARK: Reading

    /// The job `id`; an unknown id is a `job-unknown` error.
    public func job(_ id: Int64) throws(StationError) -> Job {
        guard let j = try read({ db in try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]).flatMap(Self.job) }) else {
            throw StationError(.jobUnknown, "no job \(id)")
        }
        return j
    }

    /// Jobs, newest first, filtered by state and kind; `limit` at a time from `offset`.
    public func jobs(state: Job.State? = nil, kind: Job.Kind? = nil, limit: Int = 100, offset: Int = 0) throws(StationError) -> [Job] {
        let (filter, arguments) = Self.filter(state: state, kind: kind)
        return try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM job\(filter) ORDER BY id DESC LIMIT ? OFFSET ?", arguments: arguments + [max(0, limit), max(0, offset)]
            ).compactMap(Self.job)
        }
    }

    /// How many jobs the filter matches.
    public func count(state: Job.State? = nil, kind: Job.Kind? = nil) throws(StationError) -> Int {
        let (filter, arguments) = Self.filter(state: state, kind: kind)
        return try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job\(filter)", arguments: arguments) ?? 0 }
    }

    /// The job's log, oldest first.
    public func log(of id: Int64) throws(StationError) -> [JobLogLine] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT time, level, message FROM jobLog WHERE job = ? ORDER BY id", arguments: [id]).map { r in
                JobLogLine(time: r["time"], level: JobLogLine.Level(rawValue: r["level"]) ?? .info, message: r["message"])
            }
        }
    }

    // MARK: Writing

    /// Queues a new job.
    @discardableResult
    public func create(kind: Job.Kind, title: String, request: String, resource: String? = nil) throws(StationError) -> Job {
        let id = try write { db in
            try db.execute(
                sql: "INSERT INTO job (kind, state, title, request, resource, created) VALUES (?, 'queued', ?, ?, ?, ?)",
                arguments: [kind.rawValue, title, request, resource, LockFile.timestamp()])
            return db.lastInsertedRowID
        }
        let made = try job(id)
        doorbell.ring()
        return made
    }

    /// Marks the oldest queued job whose resource is free as running and returns it; nil when none can run now.
    public func claim() throws(StationError) -> Job? {
        let id: Int64? = try write { db in
            let busy = Set(try String.fetchAll(db, sql: "SELECT resource FROM job WHERE state = 'running' AND resource IS NOT NULL"))
            let queued = try Row.fetchAll(db, sql: "SELECT id, resource FROM job WHERE state = 'queued' ORDER BY id")
            guard let next = queued.first(where: { r in (r["resource"] as String?).map { !busy.contains($0) } ?? true }) else { return nil }
            let id: Int64 = next["id"]
            try db.execute(
                sql: "UPDATE job SET state = 'running', started = ?, attempts = attempts + 1, cancelRequested = 0 WHERE id = ?",
                arguments: [LockFile.timestamp(), id])
            return id
        }
        return try id.map { id throws(StationError) in try job(id) }
    }

    /// Records a running job's progress.
    public func progress(_ id: Int64, done: Int, total: Int) throws(StationError) {
        // At most one write per job every 0.2 s (and the last one): a job reports per file, the page needs far fewer.
        let now = Date().timeIntervalSince1970
        let due = lastProgress.withLock { last in
            guard done >= total || now - (last[id] ?? 0) >= 0.2 else { return false }
            last[id] = done >= total ? nil : now
            return true
        }
        guard due else { return }
        try write { db in try db.execute(sql: "UPDATE job SET done = ?, total = ? WHERE id = ? AND state = 'running'", arguments: [done, total, id]) }
    }

    /// Whether a cancel was asked while the job runs (the runner stops at its next batch).
    public func cancelRequested(_ id: Int64) throws(StationError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT cancelRequested FROM job WHERE id = ?", arguments: [id]) } ?? false
    }

    /// Appends a line to the job's log.
    public func log(_ id: Int64, _ level: JobLogLine.Level = .info, _ message: String) throws(StationError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO jobLog (job, time, level, message) VALUES (?, ?, ?, ?)", arguments: [id, LockFile.timestamp(), level.rawValue, message])
        }
    }

    /// Ends a running job: done, failed (with its reason) or cancelled; `report` is its outcome as JSON.
    public func finish(_ id: Int64, _ state: Job.State, reason: String? = nil, report: String? = nil) throws(StationError) {
        guard state.isFinal else { throw StationError(.jobState, "a job ends done, failed or cancelled, not \(state.rawValue)") }
        lastProgress.withLock { _ = $0.removeValue(forKey: id) }
        let changed = try write { db in
            try db.execute(
                sql: "UPDATE job SET state = ?, finished = ?, reason = ?, report = COALESCE(?, report) WHERE id = ? AND state = 'running'",
                arguments: [state.rawValue, LockFile.timestamp(), reason, report, id])
            return db.changesCount
        }
        if changed == 0 { throw StationError(.jobState, "job \(id) is not running: \(try job(id).state.rawValue)") }
        doorbell.ring()
    }

    /// Cancels a queued job at once, or asks a running one to stop; a finished job cannot be cancelled.
    @discardableResult
    public func cancel(_ id: Int64) throws(StationError) -> Job {
        let j = try job(id)
        switch j.state {
        case .queued:
            try write { db in
                try db.execute(
                    sql: "UPDATE job SET state = 'cancelled', finished = ?, reason = 'cancelled before it started' WHERE id = ? AND state = 'queued'",
                    arguments: [LockFile.timestamp(), id])
            }
        case .running:
            try write { db in try db.execute(sql: "UPDATE job SET cancelRequested = 1 WHERE id = ? AND state = 'running'", arguments: [id]) }
        case .done, .failed, .cancelled:
            throw StationError(.jobState, "job \(id) is \(j.state.rawValue): only a queued or running job can be cancelled")
        }
        return try job(id)
    }

    /// Queues a failed or cancelled job again, its progress and reason cleared.
    @discardableResult
    public func retry(_ id: Int64) throws(StationError) -> Job {
        let changed = try write { db in
            try db.execute(
                sql: """
                    UPDATE job SET state = 'queued', started = NULL, finished = NULL, done = 0, total = 0, reason = NULL, cancelRequested = 0
                    WHERE id = ? AND state IN ('failed', 'cancelled')
                    """, arguments: [id])
            return db.changesCount
        }
        if changed == 0 {
            let j = try job(id)
            throw StationError(.jobState, "job \(id) is \(j.state.rawValue): only a failed or cancelled job can be retried")
        }
        try log(id, .info, "queued again")
        let made = try job(id)
        doorbell.ring()
        return made
    }

    /// At start: every job a stopped station left running is queued again when `resumable` says it can be run again
    /// from the start safely, and failed with the reason otherwise. Returns the jobs it settled.
    @discardableResult
    public func recover(resumable: (Job) -> Bool) throws(StationError) -> [Job] {
        let running = try jobs(state: .running, limit: Int.max)
        for j in running {
            if resumable(j) {
                try write { db in
                    try db.execute(sql: "UPDATE job SET state = 'queued', started = NULL, cancelRequested = 0 WHERE id = ?", arguments: [j.id])
                }
                try log(j.id, .warning, "the station stopped while the job ran; it is run again")
            } else {
                try finish(j.id, .failed, reason: "the station stopped while the job ran (started \(j.started ?? "?"))")
                try log(j.id, .error, "the station stopped while the job ran")
            }
        }
        return try running.map { j throws(StationError) in try job(j.id) }
    }

    // MARK: SQL

    static func filter(state: Job.State?, kind: Job.Kind?) -> (String, StatementArguments) {
        var terms: [String] = []
        var arguments: StatementArguments = []
        if let state { terms.append("state = ?"); arguments += [state.rawValue] }
        if let kind { terms.append("kind = ?"); arguments += [kind.rawValue] }
        return (terms.isEmpty ? "" : " WHERE " + terms.joined(separator: " AND "), arguments)
    }

    static func job(_ r: Row) -> Job? {
        guard let kind = Job.Kind(rawValue: r["kind"]), let state = Job.State(rawValue: r["state"]) else { return nil }
        return Job(
            id: r["id"], kind: kind, state: state, title: r["title"], request: r["request"], resource: r["resource"], created: r["created"],
            started: r["started"], finished: r["finished"], done: r["done"], total: r["total"], reason: r["reason"], report: r["report"],
            attempts: r["attempts"], cancelRequested: r["cancelRequested"])
    }

    func read<T>(_ body: (Database) throws -> T) throws(StationError) -> T {
        do { return try pool.read(body) } catch { throw StationError(.jobDatabase, "the job database cannot be read: \(error)", path: path, cause: error) }
    }

    @discardableResult
    func write<T>(_ body: (Database) throws -> T) throws(StationError) -> T {
        do { return try pool.write(body) } catch {
            throw StationError(.jobDatabase, "the job database cannot be written: \(error)", path: path, cause: error)
        }
    }
}
