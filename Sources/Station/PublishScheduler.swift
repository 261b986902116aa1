import Foundation

// Instances the SCP stores are recorded per calling AE and study (`JobStore.arrived`). A calling AE's received studies
// are due once none of them received an instance for the longest quiet period of the AE's rules (per patient when one
// of its rules publishes per patient: all of the patient's studies must be quiet). Each rule of the AE then makes one
// publish job per study, or per patient with all of the patient's due studies, and the studies are marked published
// in the same transaction; instances arriving later make them pending again, and a new job follows its own quiet period.
/// Makes publish jobs from the rules once received studies have been quiet.
public final class PublishScheduler: Sendable {
    let config: StationConfig
    let jobs: JobStore
    let interval: Double

    public init(config: StationConfig, jobs: JobStore, interval: Double = 1) {
        self.config = config; self.jobs = jobs; self.interval = interval
    }

    /// Schedules every `interval` seconds until the task is cancelled.
    public func run() async { await Polling.every(interval) { _ = try? self.scan() } }

    /// One look at the pending studies; returns the jobs it queued.
    @discardableResult
    public func scan(now: Double = Date().timeIntervalSince1970) throws(StationError) -> [Job] {
        let pending = try jobs.pendingArrivals()
        var queued: [Job] = []
        for ae in Set(pending.map(\.callingAE)).sorted() {
            let rows = pending.filter { $0.callingAE == ae }
            let rules = config.rules.filter { $0.callingAE.value == ae }
            guard !rules.isEmpty else {
                // No rule publishes what this AE sends: it stays in the store, nothing is scheduled.
                queued += try jobs.createScheduled([], settling: rows)
                continue
            }
            let quiet = Double(rules.map { $0.quietSeconds ?? config.quietSeconds }.max()!)
            let byPatient = rules.contains { $0.per == .patient }
            let groups = Dictionary(grouping: rows, by: { byPatient ? $0.patient : $0.study })
            let due = groups.values.filter { g in g.allSatisfy { now - $0.last >= quiet } }.flatMap { $0 }
            guard !due.isEmpty else { continue }
            var requests: [(title: String, request: String, resource: String?)] = []
            for rule in rules {
                let perJob = Dictionary(grouping: due, by: { rule.per == .patient ? $0.patient : $0.study })
                for key in perJob.keys.sorted() {
                    let studies = perJob[key]!.map(\.study).sorted()
                    // Copies are discs, burned by one job: an image or a folder is written once.
                    var publish = JobRequest.Publish(studies: studies, target: rule.target, profile: rule.profile, pdi: rule.pdi)
                    switch rule.target {
                    case .drive, .robot: publish.copies = rule.copies
                    case .iso, .folder: break
                    }
                    let r = JobRequest.publish(publish)
                    requests.append((r.title + " (from \(ae))", r.stored.serialized(), r.resource))
                }
            }
            queued += try jobs.createScheduled(requests, settling: due)
        }
        return queued
    }
}
