import DICOMCore
import DICOMIO
import DICOMPixel

/// What `transcode` reports per file: the result, or the failure (stderr and `--json`).
public enum TranscodeReport {
    /// One file's JSON object.
    public typealias Entry = JSON

    /// The `--json` document: the one object of `IN OUT`, else an array (`--out-dir`).
    public static func document(_ entries: [Entry], single: Bool) -> JSON {
        single && entries.count == 1 ? entries[0] : .array(entries)
    }

    /// One transcoded file as JSON: input, output, transferSyntax, lossy, bytesIn, bytesOut, diagnostics.
    public static func json(_ t: FileTranscoder.Result) -> JSON {
        .object([
            ("input", .string(t.input)), ("output", .string(t.output)), ("transferSyntax", .string(t.outputSyntax.uid)),
            ("lossy", .bool(t.lossy)), ("bytesIn", .int(Int64(t.bytesIn))), ("bytesOut", .int(Int64(t.bytesOut))),
            ("diagnostics", .array(t.diagnostics.map { .string($0.description) })),
        ])
    }

    /// The one line naming why `input` was not transcoded (the error names the file itself when it can).
    public static func failureMessage(_ e: any Error, input: String) -> String {
        switch e {
        case let p as DICOMParseError: return p.description
        case let m as MediaError: return m.description
        default: return "\(input): \(e)"
        }
    }

    /// A failed file as JSON: {input, error}.
    public static func failureJSON(input: String, message: String) -> JSON {
        .object([("input", .string(input)), ("error", .string(message))])
    }

    /// The diagnostics worth a line: warnings and errors, each `(isError, "input: diagnostic")`.
    public static func notes(_ t: FileTranscoder.Result) -> [(isError: Bool, text: String)] {
        t.diagnostics.filter { $0.severity >= .warning }.map { ($0.severity >= .error, "\(t.input): \($0)") }
    }

    /// Encoder parameters for `target`: JPEG-LS near-lossless defaults to NEAR 2.
    public static func parameters(for target: TransferSyntax, quality: Int?, near: Int?) -> EncodeParameters {
        EncodeParameters(quality: quality, near: near ?? (target == .jpegLSNearLossless ? 2 : 0))
    }
}
