import ArgumentParser
import MediaKit

struct Receive: ParsableCommand {
    /// What --help says besides the contract.
    static let discussion =
        " Instances are kept bit for bit as received; success is answered only once an instance is stored. SIGINT or SIGTERM stop accepting, let the running associations finish, and exit 0; so does --idle. One line per association on stdout (with --json one JSON object per line: association, callingAETitle, calledAETitle, stored, echoes, failed, released, error). Exit 2 when the port cannot be bound."
    static let configuration = CommandConfiguration.subcommand(
        "receive", "Receive instances: a foreground C-STORE and C-ECHO SCP, into the local store or a spool folder.", more: discussion)
    @Option(help: "The TCP port to listen on (1-65535).") var port: Int
    @Option(help: "The address to listen on (0.0.0.0 for every interface).") var host = "127.0.0.1"
    @Option(help: ArgumentHelp("Our AE title: associations calling another are rejected.", valueName: "TITLE"))
    var ae = NetworkPeer.defaultAETitle
    @Option(
        help: ArgumentHelp("Write each instance as <SOP Instance UID>.dcm into this folder instead of the store.", valueName: "DIR"))
    var spool: String?
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Accept only these calling AE titles (default: any).", valueName: "AE"))
    var allow: [String] = []
    @Option(help: ArgumentHelp("Exit after this many seconds without an association.", valueName: "SECONDS")) var idle: Double?
    @Option(name: .customLong("max-associations"), help: "Simultaneous associations; more are rejected transiently.")
    var maxAssociations = 16
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if !(1...65535).contains(port) { throw ValidationError("--port must be 1-65535") }
        if spool != nil && storeOption.store != nil { throw ValidationError("give --store or --spool, not both") }
        if let idle, !(idle > 0 && idle <= 86_400 * 365) { throw ValidationError("--idle must be a positive number of seconds") }
        if !(1...1000).contains(maxAssociations) { throw ValidationError("--max-associations must be 1-1000") }
        for t in [ae] + allow {
            do { _ = try NetworkPeer.checkAETitle(t) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() throws {
        let destination: ReceiveOptions.Destination
        let into: String
        if let spool {
            destination = .spool(spool); into = "spool \(spool)"
        } else {
            let store = try storeOption.open(create: true)
            destination = .store(store); into = "store \(store.root)"
        }
        var options = ReceiveOptions(port: port, destination: destination)
        options.host = host; options.aeTitle = try NetworkPeer.checkAETitle(ae); options.allow = try allow.map(NetworkPeer.checkAETitle)
        options.idle = idle; options.maxAssociations = maxAssociations
        let json = output.json, quiet = output.quiet, host = self.host, ae = options.aeTitle
        try runNetwork {
            try NetworkReceiver.run(
                options,
                listening: { port in
                    if !quiet { printError("listening on \(host):\(port) as \(ae), into the \(into)") }
                },
                association: { a in
                    // One line per association as it ends, written at once (stdout may be a pipe).
                    if json {
                        Console.shared.write(Array((a.json.serialized(pretty: false) + "\n").utf8))
                    } else if !quiet {
                        Console.shared.write(Array((a.text + "\n").utf8))
                    }
                    for line in a.failureLines { printError(line) }
                })
        }
    }
}
