import DICOMCore
import DICOMNetwork
import Dispatch
import MediaKit
import Synchronization

// Workers claim queued jobs from the JobStore (one running job per drive or robot is the store's rule) and run each on
// a thread of its own: the import and export use cases are synchronous. A job's paths are checked again when it runs.
// Stopping (task cancellation) stops the claiming; a job already running finishes, and one cut short by a kill is
// settled by `JobStore.recover` at the next start.
/// Runs the station's jobs with MediaKit's use cases and records their outcome.
public final class JobRunner: Sendable {
    let jobs: JobStore
    let config: StationConfig
    /// Seconds between looks at the queue when it is empty and its doorbell does not ring.
    let idle: Double
    /// Held while a job listens on `dicom.commitPort` for a commitment report: one listener at a time.
    let commitPort = Mutex(())
    /// A disc robot's time to report a job's result, and the pause between looks at its hot folder (seconds).
    let robotTimeout: Double
    let robotPoll: Double
    /// How long a later copy waits for the next disc in a drive (seconds).
    let discWait: Double

    public init(jobs: JobStore, config: StationConfig, idle: Double = 0.3, robotTimeout: Double = 7200, robotPoll: Double = 1, discWait: Double = 1800) {
        self.jobs = jobs; self.config = config; self.idle = idle
        self.robotTimeout = robotTimeout; self.robotPoll = robotPoll; self.discWait = discWait
    }

    /// Claims and runs jobs until the task is cancelled, `workers` at a time.
    public func run(workers: Int = 2) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, workers) {
                group.addTask {
                    while !Task.isCancelled {
                        let seen = self.jobs.doorbell.generation
                        if !(await self.runNext()) { await self.jobs.doorbell.wait(after: seen, upTo: self.idle) }
                    }
                }
            }
        }
    }

    /// Runs one queued job if one can run now; false when none could.
    @discardableResult
    public func runNext() async -> Bool {
        let job: Job
        do {
            guard let j = try jobs.claim() else { return false }
            job = j
        } catch { return false }
        let outcome = await withCheckedContinuation { (c: CheckedContinuation<Outcome, Never>) in
            DispatchQueue.global(qos: .userInitiated).async { c.resume(returning: self.perform(job)) }
        }
        try? jobs.finish(job.id, outcome.state, reason: outcome.reason, report: outcome.report?.serialized())
        try? jobs.log(job.id, outcome.state == .done ? .info : .error, outcome.reason.map { "\(outcome.state.rawValue): \($0)" } ?? outcome.state.rawValue)
        return true
    }

    struct Outcome: Sendable {
        var state: Job.State
        var reason: String?
        var report: JSON?
    }

    func perform(_ job: Job) -> Outcome {
        do {
            switch try JobRequest(stored: job.request, config: config) {
            case .importMedium(var i):
                i.source = try StationPaths.checked(i.source, roots: config.roots)
                return try importMedium(job, i)
            case .publish(let p):
                return try publish(job, p)
            }
        } catch {
            return Outcome(state: .failed, reason: "\(error)")
        }
    }

    /// A node of the configuration as a peer, calling with the station's AE title.
    func peer(_ name: String) throws -> NetworkPeer {
        guard let node = config.nodes[name] else { throw StationError(.configValue, "no node \"\(name)\" in the configuration") }
        return try NetworkPeer(node: node, callingAETitle: config.dicom?.aeTitle.value ?? NetworkPeer.defaultAETitle)
    }

    /// Reads the medium with import's rules into the store, or sends it to a node (`import --to`), reconciled by worklist
    /// or to the user's choice of patient first, and committed by the node when asked.
    func importMedium(_ job: Job, _ request: JobRequest.Import) throws -> Outcome {
        let source = request.source
        try jobs.log(job.id, .info, "reading \(source)")
        let medium = try MediumOpener.open(source)
        let jobs = self.jobs
        let id = job.id
        var reconcile: (any InstanceTransform)?
        var worklist: WorklistReconciliation?
        switch request.reconcile {
        case .worklist(let node)?:
            let found = try peer(node).reconcileWorklist([medium])
            for line in found.lines { try jobs.log(id, found.refused.isEmpty ? .info : .warning, line) }
            (worklist, reconcile) = (found, found.transform())
        case .patient(let pid, let name, let issuer)?:
            try jobs.log(id, .info, "every patient of the medium becomes \(pid)\(name.map { " (\($0))" } ?? "")")
            reconcile = Reconciler(everyPatient: .init(patientID: pid, patientName: name, issuer: issuer))
        case nil: break
        }
        func chain(_ deid: (any InstanceTransform)?) -> (any InstanceTransform)? {
            let all = [reconcile, deid].compactMap { $0 }
            return all.count > 1 ? TransformChain(all) : all.first
        }
        let stop: @Sendable () -> Bool = { (try? jobs.cancelRequested(id)) ?? false }
        let problems: Bool, stopped: Bool
        var report: JSON
        let diagnostics: [String]
        switch request.destination {
        case .store:
            let store = try LocalStore(root: config.store, create: true, lockWait: 120)
            var options = try LocalStore.importOptions(
                root: config.store, dryRun: false, deidentify: request.deidentify, reconcile: reconcile != nil, provenance: nil,
                transform: { key in chain(request.deidentify ? Deidentifier(.init(allowBurnedIn: false, key: key)) : nil) })
            options.shouldStop = stop
            let r = try LocalStore.importMedia(
                [medium], into: store, root: config.store, options: options, progress: { done, total in try? jobs.progress(id, done: done, total: total) })
            (problems, stopped, report, diagnostics) = (r.hasProblems, r.stopped, r.json, r.diagnostics.map(\.description))
        case .node(let name):
            let peer = try peer(name)
            var r = try MediaSender.send(
                [medium], to: peer, transform: chain(request.deidentify ? Deidentifier(.init(allowBurnedIn: false, key: nil)) : nil), dryRun: false,
                progress: { _, done, total in try? jobs.progress(id, done: done, total: total) }, shouldStop: stop)
            r.worklist = worklist
            if request.commit && !r.send.couldNotConnect && !r.findings.stopped {
                let refs = r.send.instances.filter(\.confirmed).map { SOPReference(sopClassUID: $0.sopClassUID, sopInstanceUID: $0.sopInstanceUID) }
                if !refs.isEmpty {
                    try jobs.log(id, .info, "asking \(peer.label) to commit \(refs.count) instances")
                    let (host, port) = (config.dicom?.host ?? "127.0.0.1", config.dicom?.commitPort)
                    r.commit = commitPort.withLock { _ in peer.commit(refs, listenHost: host, listenPort: port, timeout: 120) }
                }
            }
            (problems, stopped, report, diagnostics) = (r.hasProblems || r.couldNotConnect, r.findings.stopped, r.json, r.diagnostics.map(\.description))
        }
        if request.destination == .store, let worklist, case .object(var fields) = report {
            fields.append(("worklist", worklist.json))
            report = .object(fields)
        }
        for d in diagnostics.prefix(1000) { try jobs.log(id, .warning, d) }
        if stopped {
            return Outcome(state: .cancelled, reason: "cancelled while it ran: what was already imported stays, complete", report: report)
        }
        return Outcome(state: problems ? .failed : .done, reason: problems ? "not every instance was imported: see the report" : nil, report: report)
    }
}
