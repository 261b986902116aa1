import ArgumentParser
import DICOMNetwork
import MediaKit

extension QueryLevel: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
    public static var allValueStrings: [String] { allCases.map { $0.rawValue.lowercased() } }
}

extension RetrieveMethod: ExpressibleByArgument {}

struct Find: ParsableCommand {
    /// What --help says besides the contract.
    static let discussion =
        " A table on stdout (names decoded with each match's Specific Character Set). Exit 0 when the search ran (with or without matches), 1 when the peer answered a failure status, 2 when it could not be reached. --json: peer, service, model, level, count, limited, status, statusName, errorComment, matches (each an object by keyword)."
    static let configuration = CommandConfiguration.subcommand(
        "find", "Search a peer: C-FIND (Study Root, Patient Root at the patient level, Modality Worklist with --worklist), or QIDO-RS for a DICOMweb node.",
        more: discussion)
    @Argument(help: NodeOptions.nodeHelp) var node: String
    @Option(help: "patient (Patient Root), study, series or image.") var level: QueryLevel = .study
    @Option(name: .customLong("patient-id"), help: "Patient ID to match.") var patientID: String?
    @Option(help: ArgumentHelp("Patient's Name to match, * and ? wildcards allowed (e.g. 'DOE^J*').", valueName: "PATTERN")) var name: String?
    @Option(name: .customLong("birth-date"), help: ArgumentHelp("Patient's Birth Date: YYYYMMDD or a range FROM-TO.", valueName: "D"))
    var birthDate: String?
    @Option(
        name: .customLong("study-date"),
        help: ArgumentHelp("Study Date (with --worklist the scheduled date): YYYYMMDD, FROM-TO, FROM- or -TO.", valueName: "FROM-TO"))
    var studyDate: String?
    @Option(help: ArgumentHelp("Modality (Modalities in Study at the study level).", valueName: "M")) var modality: String?
    @Option(help: ArgumentHelp("Accession Number to match.", valueName: "A")) var accession: String?
    @Option(help: ArgumentHelp("Study Instance UID to match.", valueName: "UID")) var study: String?
    @Flag(help: "Query the Modality Worklist instead of Query/Retrieve.") var worklist = false
    @Option(
        name: .customLong("character-set"),
        help: ArgumentHelp("Specific Character Set of the query (default: ISO_IR 192 when a value is not ASCII).", valueName: "TERM"))
    var characterSet: String?
    @Option(help: ArgumentHelp("Stop after N matches (C-CANCEL; QIDO-RS limit).", valueName: "N")) var limit: Int?
    @OptionGroup var nodeOptions: NodeOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if worklist && level != .study { throw ValidationError("--worklist takes no --level") }
        if worklist && study != nil { throw ValidationError("--worklist takes no --study") }
        for (flag, value) in [("--birth-date", birthDate), ("--study-date", studyDate)] {
            if let value, DateRange(parsing: value) == nil { throw ValidationError("\(flag): '\(value)' is not YYYYMMDD or a range FROM-TO") }
        }
    }

    func run() throws {
        let peer = try nodeOptions.peer(node)
        if !peer.usesDIMSE && (worklist || level == .patient) {
            throw ValidationError("\(node) is a DICOMweb node: QIDO-RS has no patient level and no worklist")
        }
        var request = FindRequest()
        request.level = level; request.worklist = worklist; request.patientID = patientID; request.patientName = name
        request.patientBirthDate = birthDate.flatMap(DateRange.init(parsing:)); request.studyDate = studyDate.flatMap(DateRange.init(parsing:))
        request.modality = modality; request.accessionNumber = accession; request.studyInstanceUID = study
        request.characterSet = characterSet; request.limit = limit
        let report = try runNetwork { try peer.find(request) }
        output.result(report.text, json: report.json)
        if report.failed {
            printError("\(report.peer): C-FIND answered \(report.status.map { "\($0)" } ?? "?")" + (report.errorComment.map { ": \($0)" } ?? ""))
            throw ExitCode(Exit.problems)
        }
    }
}

struct Retrieve: ParsableCommand {
    // --help: the contract's details for this command.
    static let discussion =
        " Each instance is stored as `receive --store` stores it, answered only once stored. --method move starts a listener on --port as our --ae: the peer must know that AE title with our host and port (e.g. Orthanc's DicomModalities). Exit 1 when a study was not retrieved in full (with --dry-run: not found; each named on stderr), 2 when the peer could not be reached. --json: peer, method, service, destination, store, retrieved, failed, warnings, studies (status, statusName, completed, failed, warning, stored, notStored, error)."
    static let abstract = "Fetch studies from a peer into the local store: C-GET, C-MOVE to our own listener, or WADO-RS."
    static let configuration = CommandConfiguration.subcommand("retrieve", abstract, more: discussion)
    @Argument(help: NodeOptions.nodeHelp) var node: String
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Study Instance UIDs to retrieve.", valueName: "UID")) var study: [String] = []
    @Option(help: "get (C-GET), move (C-MOVE to our listener) or wado (WADO-RS); default: get, or wado for a DICOMweb-only node.")
    var method: RetrieveMethod?
    @Option(help: "With --method move: the TCP port of our destination listener (the one the peer knows for our AE title).") var port: Int?
    @Option(help: "With --method move: the address our listener binds.") var host = "127.0.0.1"
    @Flag(name: .customLong("dry-run"), help: "Ask the peer for each study (C-FIND or QIDO-RS) and report what would be retrieved; write nothing.")
    var dryRun = false
    @OptionGroup var nodeOptions: NodeOptions
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if study.isEmpty { throw ValidationError("give at least one --study UID") }
        if method == .move && port == nil { throw ValidationError("--method move needs --port for our destination listener") }
        if method != .move && port != nil { throw ValidationError("--port goes with --method move") }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be 1-65535") }
    }

    func run() throws {
        let peer = try nodeOptions.peer(node)
        let method = self.method ?? (peer.usesDIMSE ? .get : .wado)
        if dryRun {
            let plan = try runNetwork { try NetworkRetriever.plan(studies: study, from: peer) }
            output.result(plan.text, json: plan.json)
            for s in plan.studies where !s.found { printError("\(plan.peer): study \(s.uid) not found") }
            return try exitWith(plan.hasProblems ? Exit.problems : Exit.ok)
        }
        let store = try storeOption.open(create: true)
        let progress = output.progress()
        let report = try runNetwork {
            try NetworkRetriever.retrieve(
                studies: study, from: peer, method: method, into: store, moveHost: host, movePort: port,
                progress: progress.map { p in { @Sendable in p("retrieving", $0, $1) } })
        }
        if report.couldNotConnect, let first = report.studies.first?.error {
            printError(first); throw ExitCode(Exit.unreadable)
        }
        output.result(report.text, json: report.json)
        output.report(report.diagnostics)
        try exitWith(report.hasProblems ? Exit.problems : Exit.ok)
    }
}
