import DICOMCore
import FileSystem
import Glibc

// After a publish job wrote and verified its output for a drive or a robot target:
// - drive: the image (STATE/burn/JOB<id>.iso) is burned `copies` times with DiscBurner, each copy read back and its
//   SHA-256 compared with the image's; the first copy that does not verify fails the job. A copy after the first on a
//   real drive waits (up to `discWait` seconds) for the next disc. The image is removed when the job ends, however it
//   ends. A cancel stops the burn (burn_drive_cancel) and the job ends cancelled.
// - robot: the job file goes into the hot folder after the data, and the runner polls for the robot's result until
//   `robotTimeout`. A cancel withdraws the job file if the robot has not taken it (and PTBurn is asked to abort one it
//   has); the station's data is removed once the robot is done with it.
extension JobRunner {
    func burn(_ job: Job, _ p: JobRequest.Publish, image: String, device: String, report: JSON) throws(StationError) -> Outcome {
        let id = job.id
        let jobs = self.jobs
        defer { _ = removeTree(image) }
        let burner = DiscBurner(device: device)
        var copies: [JSON] = []
        var image256: (bytes: Int64, sha: String)?
        func outcome(_ state: Job.State, _ reason: String? = nil) -> Outcome {
            var section: [(String, JSON)] = [("device", .string(device))]
            if let image256 { section += [("bytes", .int(image256.bytes)), ("sha256", .string(image256.sha))] }
            section.append(("copies", .array(copies)))
            return Outcome(state: state, reason: reason, report: Self.adding("burn", .object(section), to: report))
        }
        for copy in 1...p.copies {
            try jobs.log(id, .info, "copy \(copy) of \(p.copies): burning to \(device)")
            do {
                let r = try burnCopy(burner, image: image, id: id, waitForDisc: copy > 1)
                image256 = (r.bytes, r.sha256)
                copies.append(
                    .object([
                        ("copy", .int(Int64(copy))), ("writeType", .string(r.writeType)), ("readBack", .string(r.readBack)), ("verified", .bool(r.verified)),
                    ]))
                try jobs.log(
                    id, r.verified ? .info : .error, "copy \(copy): \(r.bytes) bytes (\(r.writeType)); read back: SHA-256 \(r.verified ? "matches" : "differs")"
                )
                if !r.verified { return outcome(.failed, "copy \(copy) did not verify: the bytes read back from \(device) differ from the image") }
            } catch {
                copies.append(.object([("copy", .int(Int64(copy))), ("verified", .bool(false)), ("error", .string(error.code.rawValue))]))
                try? jobs.log(id, .error, "copy \(copy): \(error.message)")
                return outcome(error.code == .burnCancelled ? .cancelled : .failed, "copy \(copy): \(error.message)")
            }
        }
        return outcome(.done)
    }

    /// One burn; a later copy on a drive with no disc waits for one (asking the job's cancel flag meanwhile).
    func burnCopy(_ burner: DiscBurner, image: String, id: Int64, waitForDisc: Bool) throws(StationError) -> DiscBurner.Result {
        let jobs = self.jobs
        let cancelled = { (try? jobs.cancelRequested(id)) ?? false }
        var waited = 0.0
        while true {
            do {
                return try burner.burn(
                    image: image, progress: { done, total in try? jobs.progress(id, done: Int(done), total: Int(total)) }, cancelled: cancelled)
            } catch let e where e.code == .burnNoDisc && waitForDisc && waited < discWait {
                if waited == 0 { try? jobs.log(id, .warning, "\(e.message): waiting up to \(Int(discWait)) s for the next disc") }
                if cancelled() { throw StationError(.burnCancelled, "cancelled while waiting for a disc in \(burner.device)") }
                usleep(UInt32(min(5, discWait) * 1_000_000))
                waited += 5
            }
        }
    }

    func sendToRobot(_ job: Job, _ p: JobRequest.Publish, data: String, robot: RobotHotFolder, report: JSON) throws(StationError) -> Outcome {
        let id = job.id
        let jobs = self.jobs
        let jobFile: String
        do { jobFile = try robot.submit(id: id, data: data, copies: p.copies, label: p.label) } catch {
            _ = removeTree(data)
            throw error
        }
        try jobs.log(id, .info, "submitted \(jobFile) (\(robot.format.rawValue), \(p.copies) cop\(p.copies == 1 ? "y" : "ies"))")
        func outcome(_ state: Job.State, _ result: String, _ reason: String? = nil) -> Outcome {
            let section = JSON.object([
                ("hotFolder", .string(robot.folder)), ("format", .string(robot.format.rawValue)), ("jobFile", .string(jobFile)),
                ("copies", .int(Int64(p.copies))), ("result", .string(result)), ("message", reason.map { .string($0) } ?? .null),
            ])
            return Outcome(state: state, reason: reason, report: Self.adding("robot", section, to: report))
        }
        let start = ContinuousClock.now
        var taken = false
        while true {
            switch robot.outcome(id: id) {
            case .done:
                _ = removeTree(data)
                try jobs.log(id, .info, "the robot finished the job")
                return outcome(.done, "done")
            case .failed(let message):
                _ = removeTree(data)
                try jobs.log(id, .error, "the robot reported a failure: \(message)")
                return outcome(.failed, "failed", "the robot reported a failure: \(message)")
            case .pending(let t):
                if t && !taken {
                    taken = true
                    try jobs.log(id, .info, "the robot took the job")
                }
                if (try? jobs.cancelRequested(id)) ?? false {
                    if robot.withdraw(id: id) {
                        _ = removeTree(data)
                        return outcome(.cancelled, "withdrawn", "cancelled before the robot took the job")
                    }
                    let asked = robot.abort(id: id)
                    return outcome(
                        .cancelled, "taken",
                        asked
                            ? "cancelled: the robot had taken the job; it was asked to abort it"
                            : "cancelled: the robot had taken the job; stop it at the robot")
                }
                if ContinuousClock.now - start > .seconds(robotTimeout) {
                    if robot.withdraw(id: id) { _ = removeTree(data) }
                    let e = StationError(.robotTimeout, "no result from the robot within \(Int(robotTimeout)) s", path: jobFile)
                    try jobs.log(id, .error, e.message)
                    return outcome(.failed, "timeout", e.message)
                }
                usleep(UInt32(robotPoll * 1_000_000))
            }
        }
    }

    /// A robot job a stopped station left: its job file and data go if the robot has not taken the job.
    func withdraw(_ id: Int64, robot: RobotHotFolder) {
        guard robot.withdraw(id: id) else { return }
        for name in ["JOB\(id)", "JOB\(id).iso"] { _ = removeTree(robot.folder + "/" + name) }
    }

    static func adding(_ key: String, _ value: JSON, to report: JSON) -> JSON {
        guard case .object(var fields) = report else { return .object([(key, value)]) }
        fields.append((key, value))
        return .object(fields)
    }
}
