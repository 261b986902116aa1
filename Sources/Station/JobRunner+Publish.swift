import DICOMCore
import DICOMFileSet
import MediaKit

// A publish job writes `JOB<id>` (a folder, or `JOB<id>.iso`) into its target folder with `export`'s plan and writers
// (the profile's transfer syntaxes, IHE PDI with the station's locale), then verifies what it wrote as `verify` does
// (`--pdi` when the job asked for PDI). The image is written under a temporary name and renamed when complete.
extension JobRunner {
    func publish(_ job: Job, _ p: JobRequest.Publish) throws -> Outcome {
        let jobs = self.jobs
        let id = job.id
        let store = try LocalStore(root: config.store, create: false, lockWait: 120)
        let selection = try StoreExport.select(store, patients: [], studies: p.studies, series: [])
        for l in selection.leftOut { try jobs.log(id, .warning, "\(l.source): \(l.reason)") }
        guard !selection.paths.isEmpty else {
            return Outcome(state: .failed, reason: "no instance of the studies is in the store")
        }
        let found = Set(try store.select(studies: p.studies).map(\.studyInstanceUID))
        if let missing = p.studies.first(where: { !found.contains($0) }) {
            return Outcome(state: .failed, reason: "the study \(missing) is not in the store")
        }
        var request = FileSetRequest()
        request.profile = p.profile
        var options = try request.resolve()
        let out: String
        switch p.target {
        case .iso(let folder):
            out = try StationPaths.checked(folder, roots: config.roots) + "/JOB\(id).iso"
            options.image = try ImageOutput.checked(path: out, volumeID: nil, rockRidge: true, engine: ImageOutput.defaultEngineName)
        case .folder(let folder):
            out = try StationPaths.checked(folder, roots: config.roots) + "/JOB\(id)"
        case .drive, .robot:
            return Outcome(state: .failed, reason: "drives and robots are not available yet")
        }
        if p.pdi {
            var pdi = try PDIOptions.withDefaultTemplates()
            pdi.locale = try PDILocale(config.locale)
            options.pdi = pdi
        }
        try jobs.log(id, .info, "writing \(out): \(selection.paths.count) instances, profile \(p.profile)")
        var written = try FileSetCreator.createVolumes(
            out: options.image == nil ? out : nil, inputs: selection.paths, capacity: nil, options: options,
            progress: { _, done, total in try? jobs.progress(id, done: done, total: total) })
        written.nameSources(selection.names)
        for d in written.diagnostics.prefix(1000) { try jobs.log(id, d.severity >= .error ? .error : .warning, d.description) }
        var verified: [JSON] = []
        var verifyProblems = false
        for v in written.volumes where !v.report.nothingWritten {
            let r = try FileSetVerification.verify(source: v.output, profile: options.profile, deep: false, pdi: p.pdi)
            try jobs.log(id, r.hasProblems ? .error : .info, "verified \(v.output): \(r.hasProblems ? "problems found" : "no problems")")
            verifyProblems = verifyProblems || r.hasProblems
            verified.append(r.json)
        }
        let report = JSON.object([("export", written.json), ("verify", .array(verified))])
        if written.hasProblems || verifyProblems || verified.isEmpty {
            return Outcome(state: .failed, reason: verified.isEmpty ? "nothing was written" : "the output has problems: see the report", report: report)
        }
        return Outcome(state: .done, report: report)
    }
}
