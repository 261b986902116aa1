import ArgumentParser
import DICOMNetwork
import MediaKit

/// `--nodes FILE` and `--ae TITLE`: how the network commands resolve a node and call it.
struct NodeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The nodes file naming the peers (default: $XDG_CONFIG_HOME/dicom-media/nodes.json, else ~/.config/dicom-media/nodes.json).",
            valueName: "FILE"))
    var nodes: String?
    @Option(help: ArgumentHelp("Our AE title, the calling AE title of our associations.", valueName: "TITLE")) var ae: String = NetworkPeer.defaultAETitle

    /// The help of a NODE argument.
    static let nodeHelp = ArgumentHelp("AE@host:port, an http(s)://.../dicom-web base URL, or a node name from the nodes file.")

    func validate() throws {
        do { _ = try NetworkPeer.checkAETitle(ae) } catch { throw ValidationError("--ae: \(error)") }
    }

    /// The peer NODE names: AE@host:port, an http(s):// DICOMweb base URL, or a node name. A bad address is a usage
    /// error (64); a nodes file that cannot be read, exit 2.
    func peer(_ text: String) throws -> NetworkPeer {
        do { return try NetworkPeer(text, nodesFile: nodes, callingAETitle: ae) } catch {
            if NetworkPeer.isUsageError(error) { throw ValidationError("\(error)") }
            Console.shared.failure(error); throw ExitCode(Exit.unreadable)
        }
    }
}

/// `--commit`, `--commit-port`, `--commit-timeout`, `--reconcile-worklist`: what `import --to` does besides sending.
struct SendOptions: ParsableArguments {
    static let worklistHelp = ArgumentHelp(
        "Look each patient up on this node (Modality Worklist by accession, then by name and birth date; then Patient Root C-FIND) and coerce it to the single local match; a patient with no or several matches is not sent.",
        valueName: "WNODE")
    @Option(name: .customLong("reconcile-worklist"), help: worklistHelp) var reconcileWorklist: String?
    @Flag(help: "After sending, ask the peer (DIMSE) to commit the instances it confirmed (Storage Commitment); each not committed is an error.")
    var commit = false
    static let commitPortHelp = ArgumentHelp(
        "Listen on this port as our --ae for the commitment report on a new association (the peer must know our AE title, host and port); without it the report is awaited on the request's association.",
        valueName: "N")
    @Option(name: .customLong("commit-port"), help: commitPortHelp) var commitPort: Int?
    @Option(name: .customLong("commit-timeout"), help: ArgumentHelp("Seconds to wait for the commitment report.", valueName: "SECONDS"))
    var commitTimeout: Double = 60

    func validate() throws {
        if !commit && commitPort != nil { throw ValidationError("--commit-port goes with --commit") }
        if let commitPort, !(1...65535).contains(commitPort) { throw ValidationError("--commit-port must be 1-65535") }
        if !(commitTimeout > 0 && commitTimeout <= 86_400) { throw ValidationError("--commit-timeout must be a positive number of seconds") }
    }
}

/// `--patient`, `--study`, `--series`: which stored instances a command takes (all when none is given).
struct StoreSelection: ParsableArguments {
    @Option(help: "Only this Patient ID (repeatable).") var patient: [String] = []
    @Option(help: "Only this Study Instance UID (repeatable).") var study: [String] = []
    @Option(help: "Only this Series Instance UID (repeatable).") var series: [String] = []
}

/// Runs a network use case: its error (unreachable, rejected with its reason, aborted) is one line on stderr, exit 2.
func runNetwork<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ExitCode { throw e } catch let e as ValidationError { throw e } catch {
        Console.shared.failure(error); throw ExitCode(Exit.unreadable)
    }
}

struct Echo: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "echo", "Check that a peer answers: C-ECHO (Verification), or for a DICOMweb-only node a QIDO-RS search with limit=1.",
        more:
            " Exit 2 when the peer cannot be reached, rejects the association (its reason and source are named) or fails the request; 1 when C-ECHO answers another status than success. --json: peer, service, success, status, statusName, studies, implementationClassUID, implementationVersionName."
    )
    @Argument(help: NodeOptions.nodeHelp) var node: String
    @OptionGroup var nodeOptions: NodeOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let peer = try nodeOptions.peer(node)
        let report = try runNetwork { try peer.echo() }
        output.result(report.text, json: report.json)
        if !report.succeeded { printError("\(report.peer): C-ECHO answered \(report.status.map { "\($0)" } ?? "?")"); throw ExitCode(Exit.problems) }
    }
}

struct Send: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "send", "Send instances from the local store to a peer: C-STORE, one association per study, or STOW-RS per study to a DICOMweb node.",
        more:
            " Only instances the peer confirmed count as sent. Exit 1 when some were not (each is named on stderr), 2 when no association or request could be made. --json: peer, service, instances, confirmed, failed, studyErrors, sent (per instance: path, sopInstanceUID, confirmed, status, statusName, transferSyntax, reencoded, error)."
    )
    @Option(help: ArgumentHelp("The peer: AE@host:port, an http(s)://.../dicom-web base URL, or a node name.", valueName: "NODE")) var to: String
    @OptionGroup var selection: StoreSelection
    @Flag(name: .customLong("dry-run"), help: "List what would be sent; contact no peer.") var dryRun = false
    @OptionGroup var nodeOptions: NodeOptions
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption

    func run() throws {
        let peer = try nodeOptions.peer(to)
        let store = try storeOption.open(create: false)
        let progress = output.progress()
        let report = try runNetwork {
            do {
                return try store.send(
                    patients: selection.patient, studies: selection.study, series: selection.series, to: peer, dryRun: dryRun,
                    progress: progress.map { p in { @Sendable in p("sending", $0, $1) } })
            } catch let e as MediaError where e.code == .notFound {
                printError("\(e)"); throw ExitCode(Exit.problems)  // nothing selected: done in part, as `export`
            }
        }
        try finishSend(report, diagnostics: report.diagnostics, text: report.text, json: report.json, output: output, failOn: failOn)
    }
}

/// Prints a send's results and diagnostics and exits: 2 when nothing could be sent for want of a connection
/// (one line), 1 when an instance was not confirmed, else 0 (1 for warnings with --fail-on warning).
func finishSend(
    _ send: SendReport, partial: Bool = false, diagnostics: [ReportProblem], text: String, json: ReportJSON, output: OutputOptions,
    failOn: FailOnOption
) throws {
    if send.couldNotConnect, let first = send.studyErrors.first {
        printError(first.error)
        throw ExitCode(Exit.unreadable)
    }
    output.result(text, json: json)
    output.report(diagnostics)
    try exitWith(failOn.code(partial: partial || (!send.dryRun && !send.failed.isEmpty), warnings: diagnostics.contains { $0.severity == .warning }))
}

extension Import {
    /// `import SOURCE... --to NODE`: the media read with import's rules, sent instead of stored.
    func send(to: String) throws {
        let peer = try nodeOptions.peer(to)
        if sendOptions.commit && !peer.usesDIMSE { throw ValidationError("--commit needs a DIMSE peer (AE@host:port)") }
        let media: [any MediumReader]
        do { media = try sources.map(MediumOpener.open) } catch {
            printError("\(error)"); throw ExitCode(Exit.unreadable)
        }
        var transform = try transformOptions.transform(key: nil)
        var worklist: WorklistReconciliation?
        if let wnode = sendOptions.reconcileWorklist {
            if transformOptions.reconcile != nil { throw ValidationError("give --reconcile or --reconcile-worklist, not both") }
            let wpeer = try nodeOptions.peer(wnode)
            if !wpeer.usesDIMSE { throw ValidationError("--reconcile-worklist needs a DIMSE node (AE@host:port)") }
            let found = try runNetwork { try wpeer.reconcileWorklist(media) }
            worklist = found
            transform = transform.map { TransformChain([found.transform(), $0]) } ?? found.transform()
        }
        let progress = output.progress()
        var report = try runNetwork { try MediaSender.send(media, to: peer, transform: transform, dryRun: dryRun, progress: progress) }
        report.worklist = worklist
        if sendOptions.commit && !dryRun && !report.send.couldNotConnect {
            let refs = report.send.instances.filter(\.confirmed).map { SOPReference(sopClassUID: $0.sopClassUID, sopInstanceUID: $0.sopInstanceUID) }
            if !refs.isEmpty { report.commit = peer.commit(refs, listenPort: sendOptions.commitPort, timeout: sendOptions.commitTimeout) }
        }
        try finishSend(
            report.send, partial: report.hasProblems, diagnostics: report.diagnostics,
            text: report.text, json: report.json, output: output, failOn: failOn)
    }
}
