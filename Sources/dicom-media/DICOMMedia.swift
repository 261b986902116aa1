import ArgumentParser
import DICOMCore
import DICOMIO
import MediaKit
import DICOMFileSet
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes shared by every command.
enum Exit {
    static let ok: Int32 = 0
    /// The input was read but had problems.
    static let problems: Int32 = 1
    /// The input could not be read.
    static let unreadable: Int32 = 2
}

let exitCodeHelp = """
    Exit codes: 0 ok; 1 the input was read but had problems (warnings are printed on stderr); \
    2 the input could not be read (one line on stderr names the file and byte offset).
    """

@main
struct DICOMMedia: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dicom-media",
        abstract: "DICOM removable media: read, write and check Part 10 files and File-sets.",
        discussion: exitCodeHelp,
        version: Implementation.version,
        subcommands: [Dump.self, Transcode.self, Create.self, Update.self, Remove.self, List.self, Verify.self, Iso.self, Recover.self,
                      Import.self, Export.self, StoreCommand.self])
}

func printError(_ s: String) {
    var line = s
    if !line.hasSuffix("\n") { line += "\n" }
    fputs(line, stderr)
}

struct Dump: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the data sets of DICOM files (like dcmdump), or their DICOM JSON Model (PS3.18 F.2).",
        discussion: exitCodeHelp)

    @Flag(help: "Print the DICOM JSON Model; binary values over 1 KiB become a BulkDataURI with the byte offset.")
    var json = false
    @Flag(name: .customLong("header-only"), help: "Stop before Pixel Data without reading it.")
    var headerOnly = false
    @Flag(name: .shortAndLong, help: "Print nothing but problems (exit code tells the result).")
    var quiet = false
    @Argument(help: "Files to print.")
    var files: [String]

    func run() throws {
        var code = Exit.ok
        var jsonOut: [JSON] = []
        for path in files {
            do {
                let file = try Part10Reader.read(path: path, options: ReadOptions(stopBeforePixelData: headerOnly))
                for d in file.diagnostics where d.severity >= .warning {
                    printError("\(path): \(d)")
                    code = max(code, Exit.problems)
                }
                if quiet { continue }
                if json {
                    var model = JSONModel(path: absolute(path))
                    model.bulkDataThreshold = 1024
                    var all = file.fileMeta
                    for e in file.dataSet { all.set(e) }
                    all.characterSet = file.dataSet.characterSet
                    jsonOut.append(model.json(all))
                } else {
                    if files.count > 1 { fputs("# File: \(path)\n", stdout) }
                    var bytes = DumpFormatter().formatBytes(file)
                    bytes.append(0x0A)
                    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stdout) }
                }
            } catch let e as DICOMParseError {
                printError(e.description)
                code = Exit.unreadable
            } catch {
                printError("\(path): \(error)")
                code = Exit.unreadable
            }
        }
        if json && !quiet {
            let out = jsonOut.count == 1 && files.count == 1 ? jsonOut[0] : .array(jsonOut)
            print(out.serialized(pretty: true))
        }
        if code != Exit.ok { throw ExitCode(code) }
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
        discussion: exitCodeHelp)

    @Flag(help: "Print JSON: fileSetID, fileSetUID, patients > studies > series > instances, rootRecords, problems.")
    var json = false
    @Argument(help: "A File-set folder, a DICOMDIR file, or an ISO 9660 image (.iso) read without mounting.")
    var source: String

    func run() throws {
        if FileSetImage.isImage(source) { try withImage(source) { try list($0) } } else { try list(source) }
    }

    func list(_ source: String) throws {
        let listing: FileSetListing
        do { listing = try FileSetListing.load(source: source) } catch {
            printError("\(error)"); throw ExitCode(Exit.unreadable)
        }
        if json {
            let j = listing.json()
            print(j.serialized(pretty: true))
            if case .object(let o) = j, case .array(let probs)? = o.first(where: { $0.0 == "problems" })?.1, !probs.isEmpty {
                throw ExitCode(Exit.problems)
            }
        } else {
            print(listing.text())
            if !listing.problems.isEmpty { throw ExitCode(Exit.problems) }
        }
    }
}
