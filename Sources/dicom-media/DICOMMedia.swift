import ArgumentParser
import DICOMCore
import DICOMIO
import MediaKit
import DICOMFileSet
#if canImport(Glibc)
import Glibc
#endif

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

@main
struct DICOMMedia: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dicom-media",
        abstract: "DICOM removable media: read, write and check Part 10 files and File-sets.",
        discussion: exitCodeHelp,
        version: Implementation.version,
        subcommands: [Dump.self, Transcode.self, Create.self, Update.self, Remove.self, List.self, Verify.self, Iso.self, Recover.self,
                      Import.self, Export.self, StoreCommand.self, Profiles.self])

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
            if code != 0 && args.contains("--json") && !OutputState.shared.printedDocument {
                var message = OutputState.shared.lastError ?? parsed.fullMessage(for: error)
                while message.hasSuffix("\n") { message.removeLast() }
                if message.isEmpty { message = "exit \(code)" }
                printDocument(.object([("error", .string(message)), ("exitCode", .int(Int64(code)))]))
            }
            parsed.exit(withError: error)
        }
    }
}

/// One diagnostic line on stderr.
func printError(_ s: String) {
    let s = OutputState.shared.named(s)
    var line = s
    if !line.hasSuffix("\n") { line += "\n" }
    OutputState.shared.lastError = s
    fputs(line, stderr)
}

struct Dump: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the data sets of DICOM files (like dcmdump), or their DICOM JSON Model (PS3.18 F.2).",
        discussion: exitCodeHelp + " --json prints the DICOM JSON Model (an array for several files); binary values over 1 KiB become a BulkDataURI with the byte offset; a file that cannot be read is {\"file\", \"error\"}.")

    @Flag(name: .customLong("header-only"), help: "Stop before Pixel Data without reading it.")
    var headerOnly = false
    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption
    @Argument(help: "Files to print.")
    var files: [String]
    @OptionGroup var inflateLimit: InflateLimitOption

    func run() throws {
        var code = Exit.ok
        var jsonOut: [JSON] = []
        var failed = 0
        for path in files {
            do {
                let file = try Part10Reader.read(path: path, options: ReadOptions(stopBeforePixelData: headerOnly))
                for d in file.diagnostics where d.severity >= .warning {
                    if d.severity >= .error { printError("\(path): \(d)") } else { output.note("\(path): \(d)") }
                    code = max(code, failOn.code(partial: d.severity >= .error, warnings: true))
                }
                if output.json {
                    // --json: the DICOM JSON Model; binary values over 1 KiB become a BulkDataURI with the byte offset.
                    var model = JSONModel(path: absolute(path))
                    model.bulkDataThreshold = 1024
                    var all = file.fileMeta
                    for e in file.dataSet { all.set(e) }
                    all.characterSet = file.dataSet.characterSet
                    jsonOut.append(model.json(all))
                } else if !output.quiet {
                    if files.count > 1 { fputs("# File: \(path)\n", stdout) }
                    var bytes = DumpFormatter().formatBytes(file)
                    bytes.append(0x0A)
                    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stdout) }
                }
            } catch let e as DICOMParseError {
                printError(e.description)
                failed += 1
                if output.json { jsonOut.append(.object([("file", .string(path)), ("error", .string(e.description))])) }
            } catch {
                printError("\(path): \(error)")
                failed += 1
                if output.json { jsonOut.append(.object([("file", .string(path)), ("error", .string("\(path): \(error)"))])) }
            }
        }
        if output.json {
            // One file: its model (or {"file", "error"}); several: an array of them.
            printDocument(jsonOut.count == 1 && files.count == 1 ? jsonOut[0] : .array(jsonOut))
        }
        // No file read: 2; some: done in part, 1.
        try exitWith(failed == files.count ? Exit.unreadable : failed > 0 ? max(code, Exit.problems) : code)
    }
}

func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buf = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buf, buf.count) != nil else { return path }
    return String(cString: buf) + "/" + path
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the patient/study/series/instance tree of a File-set (a folder holding DICOMDIR, or a DICOMDIR path).",
        discussion: exitCodeHelp + " --json: fileSetID, fileSetUID, patients > studies > series > instances, rootRecords, problems.")

    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption
    @Argument(help: "A File-set folder, a DICOMDIR file, or an ISO 9660 image (.iso) read without mounting.")
    var source: String

    func run() throws {
        let listing: FileSetListing
        do {
            listing = FileSetImage.isImage(source) ? try FileSetListing.load(medium: try openImage(source)) : try FileSetListing.load(source: source)
        } catch let e as ExitCode { throw e } catch {
            printError("\(error)"); throw ExitCode(Exit.unreadable)
        }
        // The problems of the DICOMDIR, plus files found only as variants or outside the root.
        var problems = listing.problems
        let resolver = Medium(root: listing.location.root)
        for (r, _) in listing.fileSet.allRecords() {
            guard let id = r.referencedFileID else { continue }
            switch resolver.resolve(id) {
            case .variant(let p):
                problems.append(FileSetProblem(.warning, "file-id-variant", "file found only as \(p.dropFirst(listing.location.root.count + 1)) (case or suffix differs)", fileID: id.path, rule: "PS3.10 8.5"))
            case .outsideRoot:
                problems.append(FileSetProblem(.error, "file-id-outside-root", "File ID leaves the File-set root; refused", fileID: id.path, rule: "PS3.10 8.2"))
            case .exact, .missing: break
            }
        }
        output.result(listing.text(), json: listing.json(resolver: resolver))
        output.report(problems)
        try exitWith(failOn.code(problems))
    }
}
