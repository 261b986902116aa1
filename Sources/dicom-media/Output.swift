import ArgumentParser
import DICOMCore
import DICOMFileSet
import Foundation
import MediaKit
#if canImport(Glibc)
import Glibc
#endif

// The command-line contract, the same for every command (README "Command-line contract"):
// results on stdout, diagnostics on stderr; with --json stdout is exactly one JSON document, also
// on failure; exit 0 done (warnings allowed), 1 done in part, 2 could not read or start, 64 usage.

/// Set once a command has printed its JSON document, so a failure after it prints no second one.
final class OutputState: @unchecked Sendable {
    static let shared = OutputState()
    var printedDocument = false
    /// The last error line printed on stderr: the message of the `{"error": ...}` document.
    var lastError: String?
    /// Temporary folders and what they stand for (an ISO image read through one): messages never
    /// name the temporary folder.
    var aliases: [(path: String, name: String)] = []

    func named(_ s: String) -> String {
        var out = s
        for a in aliases where out.contains(a.path) {
            out = out.replacingOccurrences(of: a.path + "/", with: a.name + ":").replacingOccurrences(of: a.path, with: a.name)
        }
        return out
    }
}

/// `--json`, `-q/--quiet`, `-v/--verbose`: the output options every command takes.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the result as one JSON document on stdout, also on failure ({\"error\": MESSAGE, \"exitCode\": N}); every problem is listed in it.")
    var json = false
    @Flag(name: .shortAndLong, help: "Print only errors (on stderr): no results, warnings or progress. With --json the JSON document is still printed.")
    var quiet = false
    @Flag(name: .shortAndLong, help: "List every problem on stderr instead of grouping repeated ones by code and folder.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("give --quiet or --verbose, not both") }
    }

    /// Prints the result: the JSON document with --json, else the text unless --quiet.
    func result(_ text: @autoclosure () -> String, json document: @autoclosure () -> JSON) {
        if json { printDocument(document()) } else if !quiet { let t = text(); if !t.isEmpty { print(t) } }
    }

    /// A warning or note on stderr (not with --quiet).
    func note(_ s: String) { if !quiet { printError(s) } }

    /// Problems on stderr: errors always, warnings and notes unless --quiet; repeated ones grouped
    /// by severity, code, input and folder unless --verbose. Each is prefixed with its input's
    /// DICOMDIR (or medium) when it was found in an input rather than in the output.
    func report(_ problems: [FileSetProblem]) {
        let shown = problems.filter { !quiet || $0.severity >= .error }
        for line in DiagnosticGroups.lines(shown, grouped: !verbose) { printError(line) }
    }

    /// Progress on stderr, only on a terminal and not with --quiet.
    func progress() -> (@Sendable (String, Int, Int) -> Void)? { quiet ? nil : progressPrinter() }
}

/// `--fail-on warning`: warnings exit 1 too (create, update, export, import, verify, dump, transcode, list).
struct FailOnOption: ParsableArguments {
    enum Level: String, ExpressibleByArgument, CaseIterable { case error, warning }
    @Option(name: .customLong("fail-on"), help: "error (default): exit 1 when something was refused, missing, failed or (verify) wrong; warning: warnings exit 1 too.")
    var failOn: Level = .error

    /// The exit code of a job that was done: 1 when it was done in part (`partial`) or, with
    /// `--fail-on warning`, when a warning arose; else 0.
    func code(partial: Bool, warnings: Bool) -> Int32 {
        partial || (warnings && failOn == .warning) ? Exit.problems : Exit.ok
    }

    func code(_ problems: [FileSetProblem], partial: Bool = false) -> Int32 {
        code(partial: partial || problems.contains { $0.severity >= .error }, warnings: problems.contains { $0.severity == .warning })
    }
}

/// Throws `ExitCode(code)` unless it is 0.
func exitWith(_ code: Int32) throws {
    if code != Exit.ok { throw ExitCode(code) }
}

/// Prints one JSON document on stdout (at most one per run).
func printDocument(_ j: JSON) {
    guard !OutputState.shared.printedDocument else { return }
    OutputState.shared.printedDocument = true
    print(OutputState.shared.named(j.serialized(pretty: true)))
}

/// Repeated problems as one line: "383 x file-missing under DICOM/04600/P0000001".
enum DiagnosticGroups {
    /// Groups of at least this many problems with one severity, code, input and folder become one line.
    static let threshold = 4

    static func folder(_ p: FileSetProblem) -> String {
        guard let f = p.fileID else { return "" }
        let parts = f.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        return parts.dropLast().joined(separator: "/")
    }

    static func line(_ p: FileSetProblem) -> String {
        (p.source.map { "\($0): " } ?? "") + p.description
    }

    static func lines(_ problems: [FileSetProblem], grouped: Bool) -> [String] {
        guard grouped else { return problems.map(line) }
        struct Key: Hashable { var severity: String; var code: String; var source: String?; var folder: String }
        var order: [Key] = []
        var groups: [Key: [FileSetProblem]] = [:]
        for p in problems {
            let k = Key(severity: p.severity.rawValue, code: p.code.rawValue, source: p.source, folder: folder(p))
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(p)
        }
        var out: [String] = []
        for k in order {
            let g = groups[k]!
            if g.count < threshold { out += g.map(line); continue }
            let under = k.folder.isEmpty ? "" : " under \(k.folder)"
            out.append((k.source.map { "\($0): " } ?? "") + "\(k.severity) \(g.count) x \(k.code)\(under): \(g[0].message) (\(g[0].rule)); first \(g[0].fileID ?? "-"); --verbose lists every one")
        }
        return out
    }
}
