import DICOMCore
import DICOMNetwork
import Dispatch
import MediaKit

// Workers claim queued jobs from the JobStore (one running job per drive or robot is the store's rule) and run each on
// a thread of its own: the import and export use cases are synchronous. A job's paths are checked again when it runs.
// Stopping (task cancellation) stops the claiming; a job already running finishes, and one cut short by a kill is
// settled by `JobStore.recover` at the next start.
/// Runs the station's jobs with MediaKit's use cases and records their outcome.
public final class JobRunner: Sendable {
    let jobs: JobStore
    let config: StationConfig
    /// Seconds between looks at the queue when it is empty.
    let idle: Double

    public init(jobs: JobStore, config: StationConfig, idle: Double = 0.3) {
        self.jobs = jobs; self.config = config; self.idle = idle
    }

    /// Claims and runs jobs until the task is cancelled, `workers` at a time.
    public func run(workers: Int = 2) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, workers) {
                group.addTask {
                    while !Task.isCancelled {
                        if !(await self.runNext()) { try? await Task.sleep(for: .seconds(self.idle)) }
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
            case .importMedium(let source, let destination, let deidentify, _):
                return try importMedium(job, source: try StationPaths.checked(source, roots: config.roots), destination: destination, deidentify: deidentify)
            case .publish(let p):
                return try publish(job, p)
            }
        } catch {
            return Outcome(state: .failed, reason: "\(error)")
        }
    }

    /// Reads the medium with import's rules into the store, or sends it to a node (`import --to`).
    func importMedium(_ job: Job, source: String, destination: StationConfig.Destination, deidentify: Bool) throws -> Outcome {
        try jobs.log(job.id, .info, "reading \(source)")
        let medium = try MediumOpener.open(source)
        let jobs = self.jobs
        let id = job.id
        let problems: Bool
        let report: JSON
        let diagnostics: [String]
        switch destination {
        case .store:
            let store = try LocalStore(root: config.store, create: true, lockWait: 120)
            let options = try LocalStore.importOptions(
                root: config.store, dryRun: false, deidentify: deidentify, reconcile: false, provenance: nil,
                transform: { key in deidentify ? Deidentifier(.init(allowBurnedIn: false, key: key)) : nil })
            let r = try LocalStore.importMedia(
                [medium], into: store, root: config.store, options: options, progress: { done, total in try? jobs.progress(id, done: done, total: total) })
            (problems, report, diagnostics) = (r.hasProblems, r.json, r.diagnostics.map(\.description))
        case .node(let name):
            guard let node = config.nodes[name] else { throw StationError(.configValue, "no node \"\(name)\" in the configuration") }
            let peer = try NetworkPeer(node: node, callingAETitle: config.dicom?.aeTitle.value ?? NetworkPeer.defaultAETitle)
            let transform: (any InstanceTransform)? =
                deidentify ? Deidentifier(.init(allowBurnedIn: false, key: nil)) : nil
            let r = try MediaSender.send(
                [medium], to: peer, transform: transform, dryRun: false, progress: { _, done, total in try? jobs.progress(id, done: done, total: total) })
            (problems, report, diagnostics) = (r.hasProblems || r.couldNotConnect, r.json, r.diagnostics.map(\.description))
        }
        for d in diagnostics.prefix(1000) { try jobs.log(id, .warning, d) }
        return Outcome(state: problems ? .failed : .done, reason: problems ? "not every instance was imported: see the report" : nil, report: report)
    }
}
