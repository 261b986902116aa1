import ArgumentParser
import Dispatch
import Station
import Synchronization

struct StationRun: ParsableCommand {
    static let discussion =
        " One foreground process for systemd: the job API over HTTP (GET/POST /api/jobs, GET /api/jobs/ID, POST /api/jobs/ID/cancel and /retry, /api/openapi.json) the job runner, the watches and, with `dicom`, a C-STORE SCP whose studies the rules publish. Import jobs a killed station left running are run again at its next start; publish jobs are failed and what they had written removed. SIGTERM or SIGINT stop the server, let running jobs finish, and exit 0. Exit 2 when the configuration is wrong (the message names the key), the state folder is used by another station, or the port cannot be bound."
    static let configuration = CommandConfiguration.subcommand(
        "station", "Run the media station: jobs that import media and publish studies to discs, driven by an HTTP API, watches and rules.", more: discussion)
    @Option(help: ArgumentHelp("The station's configuration (JSON, see the README).", valueName: "FILE")) var config: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        let quiet = output.quiet
        try runNetwork {
            let c = try StationConfigReader.load(path: config)
            let lock = try JobStore.lock(state: c.state)
            defer { lock.release() }
            let jobs = try JobStore(state: c.state)
            let runner = JobRunner(jobs: jobs, config: c)
            for j in try jobs.recover(resumable: { $0.kind == .import }) {
                if j.state == .failed { runner.discardPartial(of: j) }
                printError("job \(j.id) (\(j.title)) was running when the station stopped: \(j.state == .queued ? "queued again" : "failed")")
            }
            let server = try StationServer(config: c, jobs: jobs)
            let host = c.http.host
            let failure = Mutex<(any Error)?>(nil)
            let done = DispatchSemaphore(value: 0)
            Task {
                do {
                    try await server.run(ready: { port in
                        if !quiet { printError("station listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/") }
                    })
                } catch { failure.withLock { $0 = error } }
                done.signal()
            }
            done.wait()
            if let e = failure.withLock({ $0 }) { throw e }
        }
    }
}
