import ArgumentParser
import MediaKit

// The command-line contract, the same for every command (README "Command-line contract"):
// results on stdout, diagnostics on stderr; with --json stdout is exactly one JSON document, also
// on failure; exit 0 done (warnings allowed), 1 done in part, 2 could not read or start, 64 usage.

/// `--json`, `-q/--quiet`, `-v/--verbose`: the output options every command takes.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the result as one JSON document on stdout, also on failure ({\"error\": MESSAGE, \"exitCode\": N}); every problem is listed in it.")
    var json = false
    @Flag(name: .shortAndLong, help: "Print only errors (on stderr): no results, warnings or progress. With --json the JSON document is still printed.")
    var quiet = false
    @Flag(
        name: .shortAndLong,
        help:
            "List every problem on stderr instead of grouping repeated ones by code and folder; an error that stops the job is followed by its cause chain (code and source location of each)."
    )
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("give --quiet or --verbose, not both") }
        // An error that stops the job is followed by its cause chain.
        if verbose { Console.shared.verbose = true }
    }

    /// Prints the result: the JSON document with --json, else the text unless --quiet.
    func result(_ text: @autoclosure () -> String, json document: @autoclosure () -> ReportJSON) {
        if json { printDocument(document()) } else if !quiet { let t = text(); if !t.isEmpty { Console.shared.result(t) } }
    }

    /// `result` with the JSON document already written as bytes (a streamed listing).
    func result(_ text: @autoclosure () -> String, jsonBytes: @autoclosure () -> [UInt8]) {
        if json { Console.shared.document(utf8: jsonBytes()) } else if !quiet { let t = text(); if !t.isEmpty { Console.shared.result(t) } }
    }

    /// A warning or note on stderr (not with --quiet).
    func note(_ s: String) { if !quiet { printError(s) } }

    /// Problems on stderr: errors always, warnings and notes unless --quiet; repeated ones grouped
    /// by severity, code, input and folder unless --verbose. Each is prefixed with its input's
    /// DICOMDIR (or medium) when it was found in an input rather than in the output.
    func report(_ problems: [ReportProblem]) {
        for line in DiagnosticGroups.lines(DiagnosticGroups.shown(problems, quiet: quiet), grouped: !verbose) { printError(line) }
    }

    /// Progress on stderr, only on a terminal and not with --quiet.
    func progress() -> (@Sendable (String, Int, Int) -> Void)? { quiet ? nil : Console.progressPrinter() }
}

/// `--fail-on warning`: warnings exit 1 too (create, update, export, import, verify, dump, transcode, list).
struct FailOnOption: ParsableArguments {
    enum Level: String, ExpressibleByArgument, CaseIterable { case error, warning }
    @Option(
        name: .customLong("fail-on"),
        help: "error (default): exit 1 when something was refused, missing, failed or (verify) wrong; warning: warnings exit 1 too.")
    var failOn: Level = .error

    /// The exit code of a job that was done: 1 when it was done in part (`partial`) or, with
    /// `--fail-on warning`, when a warning arose; else 0.
    func code(partial: Bool, warnings: Bool) -> Int32 {
        partial || (warnings && failOn == .warning) ? Exit.problems : Exit.ok
    }

    func code(_ problems: [ReportProblem], partial: Bool = false) -> Int32 {
        let o = DiagnosticGroups.outcome(problems)
        return code(partial: partial || o.partial, warnings: o.warnings)
    }
}

/// One diagnostic line on stderr.
func printError(_ s: String) { Console.shared.error(s) }

/// Throws `ExitCode(code)` unless it is 0.
func exitWith(_ code: Int32) throws {
    if code != Exit.ok { throw ExitCode(code) }
}

/// Prints one JSON document on stdout (at most one per run).
func printDocument(_ j: ReportJSON) { Console.shared.document(j) }

/// Runs a use case: a MediaError or any other error is one line on stderr (with --verbose followed
/// by its cause chain) and exit 2 (a bad argument found by the use case, e.g. an invalid File-set
/// ID, is a usage error: 64).
func runMedia(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ExitCode { throw e } catch let e as ValidationError { throw e } catch let e as MediaError where e.code == .profileNeeded {
        Console.shared.failure(e); throw ExitCode(Exit.usage)  // update needs --profile: a usage error (64)
    } catch let e as MediaError {
        Console.shared.failure(e)
        throw ExitCode(e.code == .badArgument && e.path == nil ? Exit.usage : Exit.unreadable)
    } catch {
        Console.shared.failure(error); throw ExitCode(Exit.unreadable)
    }
}
