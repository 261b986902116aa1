import DICOMCore
import DICOMFileSet
import FileSystem
import Glibc
import MediaKit

// A publish job writes `.JOB<id>.partial` (a folder, or `.JOB<id>.partial.iso`) into its target folder with `export`'s
// plan and writers (the profile's transfer syntaxes, IHE PDI with the station's locale), verifies it as `verify` does
// (`--pdi` when the job asked for PDI), and only then renames it `JOB<id>` (`JOB<id>.iso`), never over an existing
// name. A job cut short leaves only `.JOB<id>.partial*`, which `discardPartial` removes when the station restarts.
// A drive target's image is written to STATE/burn the same way and burned from there; a robot's data is written into
// its hot folder (an image for PTBurn, a File-set folder for TD Bridge): JobRunner+Burn.swift.
extension JobRunner {
    func publish(_ job: Job, _ p: JobRequest.Publish) throws -> Outcome {
        let id = job.id
        guard case .node(let name) = p.from else { return try publish(job, p, from: try LocalStore(root: config.store, create: false, lockWait: 120)) }
        // Retrieved into a private store of the job's own under the state folder, removed after (and by discardPartial).
        let folder = retrieveFolder(id)
        _ = removeTree(folder)
        defer { _ = removeTree(folder) }
        let peer = try peer(name)
        try jobs.log(id, .info, "retrieving \(p.studies.count) studies from \(peer.label)")
        let store = try LocalStore(root: folder, create: true)
        let jobs = self.jobs
        let r = try NetworkRetriever.retrieve(
            studies: p.studies, from: peer, method: peer.usesDIMSE ? .get : .wado, into: store,
            progress: { done, total in try? jobs.progress(id, done: done, total: total) })
        for d in r.diagnostics.prefix(1000) { try jobs.log(id, .warning, d.description) }
        if r.hasProblems || r.retrieved == 0 {
            return Outcome(
                state: .failed, reason: "\(peer.label): not every study was retrieved in full (\(r.retrieved) instances): nothing written",
                report: .object([("retrieve", r.json)]))
        }
        try jobs.log(id, .info, "retrieved \(r.retrieved) instances")
        return try publish(job, p, from: store)
    }

    /// The job's private store for studies retrieved from a node.
    func retrieveFolder(_ id: Int64) -> String { config.state + "/retrieve/JOB\(id)" }

    /// Writes the studies of `store` to the target and verifies what was written.
    func publish(_ job: Job, _ p: JobRequest.Publish, from store: LocalStore) throws -> Outcome {
        let jobs = self.jobs
        let id = job.id
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
        let out: String, final: String
        switch p.target {
        case .iso(let folder), .robot(let folder, .ptburn):
            let dir = try StationPaths.checked(folder, roots: config.roots)
            (out, final) = (dir + "/.JOB\(id).partial.iso", dir + "/JOB\(id).iso")
            options.image = try ImageOutput.checked(path: out, volumeID: nil, rockRidge: true, engine: ImageOutput.defaultEngineName)
        case .folder(let folder), .robot(let folder, .tdbridge):
            let dir = try StationPaths.checked(folder, roots: config.roots)
            (out, final) = (dir + "/.JOB\(id).partial", dir + "/JOB\(id)")
        case .drive:
            // The image is made and verified in the state folder, burned, then removed.
            do { try makeDirectories(burnFolder, mode: 0o700) } catch {
                throw StationError(.burnFailed, "the burn folder cannot be made: \(error)", path: burnFolder)
            }
            (out, final) = (burnFolder + "/.JOB\(id).partial.iso", burnFolder + "/JOB\(id).iso")
            options.image = try ImageOutput.checked(path: out, volumeID: nil, rockRidge: true, engine: ImageOutput.defaultEngineName)
        }
        discardPartial(id: id, target: p.target)
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
        let report = JSON.object([("output", .string(final)), ("export", written.json), ("verify", .array(verified))])
        if written.hasProblems || verifyProblems || verified.isEmpty {
            discardPartial(id: id, target: p.target)
            return Outcome(state: .failed, reason: verified.isEmpty ? "nothing was written" : "the output has problems: see the report", report: report)
        }
        if try jobs.cancelRequested(id) {
            discardPartial(id: id, target: p.target)
            return Outcome(state: .cancelled, reason: "cancelled while it ran: nothing was kept", report: report)
        }
        guard access(final, F_OK) != 0, errno == ENOENT, rename(out, final) == 0 else {
            discardPartial(id: id, target: p.target)
            return Outcome(state: .failed, reason: "\(final) already exists or cannot be made: it is never overwritten", report: report)
        }
        try jobs.log(id, .info, "wrote \(final)")
        switch p.target {
        case .drive(let device): return try burn(job, p, image: final, device: device, report: report)
        case .robot(let folder, let format): return try sendToRobot(job, p, data: final, robot: RobotHotFolder(folder: folder, format: format), report: report)
        case .iso, .folder: return Outcome(state: .done, report: report)
        }
    }

    /// Removes what a publish job left under its partial names in its target folder: `.JOB<id>.partial`, the image's
    /// `.JOB<id>.partial.iso` and `.tmp`, and the writer's tool folders beside them (`..JOB<id>.partial*.dicom-media`).
    public func discardPartial(id: Int64, target: StationConfig.Target) {
        let dir: String
        switch target {
        case .iso(let d), .folder(let d), .robot(let d, _): dir = d
        case .drive:
            dir = burnFolder
            _ = removeTree(burnFolder + "/JOB\(id).iso")
        }
        let prefixes = [".JOB\(id).partial", "..JOB\(id).partial"]
        for name in folderNames(dir) {
            guard let p = prefixes.first(where: { name.hasPrefix($0) }) else { continue }
            let rest = name.dropFirst(p.count)
            guard rest.isEmpty || rest == ".iso" || rest == ".iso.tmp" || rest.hasSuffix(".dicom-media") else { continue }
            _ = removeTree(dir + "/" + name)
        }
    }

    /// Cleans up after a publish job a stopped station left running (the job is failed by `JobStore.recover`): its
    /// partial output, a drive's image in the burn folder, and a robot's job and data when the robot has not taken them.
    public func discardPartial(of job: Job) {
        guard job.kind == .publish, case .publish(let p)? = try? JobRequest(stored: job.request, config: config) else { return }
        discardPartial(id: job.id, target: p.target)
        _ = removeTree(retrieveFolder(job.id))
        if case .robot(let folder, let format) = p.target { withdraw(job.id, robot: RobotHotFolder(folder: folder, format: format)) }
    }

    /// `STATE/burn`: where a drive target's image waits for its burn.
    var burnFolder: String { config.state + "/burn" }
}
