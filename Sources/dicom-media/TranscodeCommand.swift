import ArgumentParser
import MediaKit

struct Transcode: ParsableCommand {
    static let configuration = CommandConfiguration.subcommand(
        "transcode", "Rewrite files in another transfer syntax, decoding and encoding Pixel Data (PS3.5 8, 10).",
        more: """
             Targets: \(FileTranscoder.targets.map(\.name).joined(separator: ", ")), or a transfer syntax UID. \
            jpeg-baseline, jpeg-extended, jpeg-ls-near and j2k are lossy: the output gets Lossy Image Compression 01, \
            the ratio and method, a new SOP Instance UID and a Source Image Sequence reference to the original. \
            --json prints one object per file (input, output, transferSyntax, lossy, bytesIn, bytesOut, diagnostics; \
            {input, error} for a file that failed), an array with --out-dir.
            """)

    @Option(help: "Target transfer syntax: a name (see below) or a UID.")
    var to: String = "explicit-little"
    @Option(help: "Lossy quality 1-100 (jpeg-baseline, jpeg-extended: JPEG quality, default 90; j2k: 100 = best).")
    var quality: Int?
    @Option(help: "JPEG-LS NEAR for jpeg-ls-near (default 2).")
    var near: Int?
    @Option(name: .customLong("out-dir"), help: "Write every INPUT into this folder (same file names), using every core.")
    var outDir: String?
    @Option(name: .customLong("source-ae"), help: "Source Application Entity Title for the File Meta (0002,0016).")
    var sourceAE: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var failOn: FailOnOption
    @Argument(help: "IN OUT, or IN... with --out-dir.") var paths: [String]
    @OptionGroup var inflateLimit: InflateLimitOption

    func validate() throws {
        guard FileTranscoder.target(named: to) != nil else {
            throw ValidationError("unknown target '\(to)': use one of \(FileTranscoder.targets.map(\.name).joined(separator: ", ")) or one of their UIDs")
        }
        if outDir == nil && paths.count != 2 { throw ValidationError("give IN OUT, or IN... --out-dir DIR") }
        if outDir != nil && paths.isEmpty { throw ValidationError("give at least one IN with --out-dir") }
        if let q = quality, !(1...100).contains(q) { throw ValidationError("--quality must be 1-100") }
        if let n = near, !(0...255).contains(n) { throw ValidationError("--near must be 0-255") }
    }

    func run() throws {
        let target = FileTranscoder.target(named: to)!
        let params = TranscodeReport.parameters(for: target, quality: quality, near: near)
        let results: [Result<FileTranscoder.Result, any Error>]
        if let outDir {
            let progress = output.progress()
            results = try FileTranscoder.transcode(
                inputs: paths, outDir: outDir, to: target, parameters: params, sourceAETitle: sourceAE,
                progress: progress.map { p in { @Sendable in p("transcoding", $0, $1) } })
        } else {
            results = [Result { try FileTranscoder.transcode(input: paths[0], output: paths[1], to: target, parameters: params, sourceAETitle: sourceAE) }]
        }
        var code = Exit.ok
        var failed = 0
        var out: [TranscodeReport.Entry] = []
        for (i, r) in results.enumerated() {
            switch r {
            case .success(let t):
                for n in TranscodeReport.notes(t) {
                    if n.isError { printError(n.text) } else { output.note(n.text) }
                    code = max(code, failOn.code(partial: n.isError, warnings: true))
                }
                if output.json { out.append(TranscodeReport.json(t)) }
            case .failure(let e):
                let msg = TranscodeReport.failureMessage(e, input: paths[i])
                printError(msg)
                failed += 1
                if output.json { out.append(TranscodeReport.failureJSON(input: paths[i], message: msg)) }
            }
        }
        if output.json { printDocument(TranscodeReport.document(out, single: outDir == nil)) }
        // No file transcoded: 2; some: done in part, 1.
        try exitWith(failed == results.count ? Exit.unreadable : failed > 0 ? max(code, Exit.problems) : code)
    }
}
