import ArgumentParser
import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation
import MediaKit

struct Transcode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rewrite files in another transfer syntax, decoding and encoding Pixel Data (PS3.5 8, 10).",
        discussion: exitCodeHelp + """
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
        let params = EncodeParameters(quality: quality, near: near ?? (target == .jpegLSNearLossless ? 2 : 0))
        let results: [Result<FileTranscoder.Result, Error>]
        if let outDir {
            let progress = output.progress()
            results = try FileTranscoder.transcode(inputs: paths, outDir: outDir, to: target, parameters: params, sourceAETitle: sourceAE,
                                                   progress: progress.map { p in { @Sendable in p("transcoding", $0, $1) } })
        } else {
            results = [Result { try FileTranscoder.transcode(input: paths[0], output: paths[1], to: target, parameters: params, sourceAETitle: sourceAE) }]
        }
        var code = Exit.ok
        var failed = 0
        var out: [JSON] = []
        for (i, r) in results.enumerated() {
            switch r {
            case .success(let t):
                for d in t.diagnostics where d.severity >= .warning {
                    if d.severity >= .error { printError("\(t.input): \(d)") } else { output.note("\(t.input): \(d)") }
                    code = max(code, failOn.code(partial: d.severity >= .error, warnings: true))
                }
                if output.json {
                    out.append(.object([("input", .string(t.input)), ("output", .string(t.output)), ("transferSyntax", .string(t.outputSyntax.uid)),
                                        ("lossy", .bool(t.lossy)), ("bytesIn", .int(Int64(t.bytesIn))), ("bytesOut", .int(Int64(t.bytesOut))),
                                        ("diagnostics", .array(t.diagnostics.map { .string($0.description) }))]))
                }
            case .failure(let e):
                let msg: String
                switch e {
                case let p as DICOMParseError: msg = p.description
                case let m as MediaError: msg = m.description
                default: msg = "\(paths[i]): \(e)"
                }
                printError(msg)
                failed += 1
                if output.json { out.append(.object([("input", .string(paths[i])), ("error", .string(msg))])) }
            }
        }
        if output.json { printDocument(out.count == 1 && outDir == nil ? out[0] : .array(out)) }
        // No file transcoded: 2; some: done in part, 1.
        try exitWith(failed == results.count ? Exit.unreadable : failed > 0 ? max(code, Exit.problems) : code)
    }
}
