import ArgumentParser
import MediaKit

/// Exit codes shared by every command (README "Command-line contract").
enum Exit {
    /// The job was done; warnings allowed (1 with `--fail-on warning`).
    static let ok: Int32 = 0
    /// Done in part: inputs refused, files missing or failed, conflicts; or `verify` found errors.
    static let problems: Int32 = 1
    /// The input could not be read or the job could not start.
    static let unreadable: Int32 = 2
    /// Usage: unknown option, bad value (ArgumentParser's ValidationError).
    static let usage: Int32 = 64
}

/// The contract, in every command's --help.
let exitCodeHelp = """
    Results (listings, summaries, JSON) go to stdout; diagnostics (errors, warnings, refusals, \
    progress) go to stderr. With --json stdout is exactly one JSON document, also on failure \
    ({"error": MESSAGE, "exitCode": N}). Exit codes: 0 the job was done (warnings allowed); \
    1 done in part (inputs refused, files missing or failed, conflicts) or verify found errors; \
    2 the input could not be read or the job could not start; 64 usage. --fail-on warning makes \
    warnings exit 1. -q prints only errors (and the --json document); -v lists every problem \
    instead of grouping repeated ones ("383 x file-missing under DICOM/04600/P0000001").
    """

extension CommandConfiguration {
    /// A subcommand: its name, its one-line abstract, and in its --help the contract (`exitCodeHelp`) followed by `more`.
    static func subcommand(_ name: String, _ abstract: String, more: String = "") -> CommandConfiguration {
        CommandConfiguration(commandName: name, abstract: abstract, discussion: exitCodeHelp + more)
    }
}

@main
struct DICOMMedia: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: Product.name,
        abstract: "DICOM removable media: read, write and check Part 10 files and File-sets.",
        discussion: exitCodeHelp,
        version: Product.version,
        subcommands: [
            Dump.self, Transcode.self, Create.self, Update.self, Remove.self, List.self, Verify.self, Iso.self, Recover.self,
            Import.self, Export.self, StoreCommand.self, Profiles.self, Echo.self, Send.self, Receive.self, Find.self, Retrieve.self,
            StationRun.self,
        ])

    /// Runs the command; with --json a failure that printed no document prints {"error", "exitCode"}.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // ArgumentParser maps ValidationError (also thrown by run()) to 64 and ExitCode(n) to n.
            let parsed: ParsableCommand.Type = Self.self
            let code = parsed.exitCode(for: error).rawValue
            let args = CommandLine.arguments.dropFirst().prefix { $0 != "--" }
            if code != 0 && args.contains("--json") && !Console.shared.printedDocument {
                printDocument(ErrorReport.document(message: Console.shared.lastError ?? parsed.fullMessage(for: error), exitCode: code))
            }
            parsed.exit(withError: error)
        }
    }
}

struct Dump: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "dump", "Print the data sets of DICOM files (like dcmdump), or their DICOM JSON Model (PS3.18 F.2).",
        more:
            " --json prints the DICOM JSON Model (an array for several files); binary values over 1 KiB become a BulkDataURI with the byte offset; a file that cannot be read is {\"file\", \"error\"}."
    )

    @Flag(name: .customLong("header-only"), help: "Stop before Pixel Data without reading it.")
    var headerOnly = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption
    @Argument(help: "Files to print.")
    var files: [String]
    @OptionGroup var inflateLimit: InflateLimitOption

    func run() throws {
        var code = Exit.ok
        var jsonOut: [ReportJSON] = []
        var failed = 0
        for path in files {
            do {
                let dump = try DumpReport(path: path, headerOnly: headerOnly)
                for d in dump.diagnostics {
                    if d.isError { printError(d.line) } else { output.note(d.line) }
                    code = max(code, failOn.code(partial: d.isError, warnings: true))
                }
                if output.json {
                    jsonOut.append(dump.json())
                } else if !output.quiet {
                    if files.count > 1 { Console.shared.write(Array("# File: \(path)\n".utf8)) }
                    Console.shared.write(dump.text())
                }
            } catch {
                let f = DumpReport.failure(path: path, error: error)
                Console.shared.failure(error, line: f.line)
                failed += 1
                if output.json { jsonOut.append(f.json) }
            }
        }
        if output.json { printDocument(DumpReport.document(jsonOut, files: files.count)) }
        // No file read: 2; some: done in part, 1.
        try exitWith(failed == files.count ? Exit.unreadable : failed > 0 ? max(code, Exit.problems) : code)
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "list", "Print the patient/study/series/instance tree of a File-set (a folder holding DICOMDIR, or a DICOMDIR path).",
        more: " --json: fileSetID, fileSetUID, patients > studies > series > instances, rootRecords, problems.")

    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption
    @Argument(help: "A File-set folder, a DICOMDIR file, or an ISO 9660 image (.iso) read without mounting.")
    var source: String

    func run() throws {
        let listing: FileSetListing
        do { listing = try FileSetListing.open(source) } catch {
            Console.shared.failure(error); throw ExitCode(Exit.unreadable)
        }
        // The problems of the DICOMDIR, plus files found only as variants or outside the root.
        let refs = listing.references()
        let problems = listing.reportedProblems(refs)
        output.result(listing.text(refs), jsonBytes: listing.jsonDocument(refs))
        output.report(problems)
        try exitWith(failOn.code(problems))
    }
}
