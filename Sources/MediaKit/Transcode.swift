import DICOMCore
import DICOMIO

/// Rewrites a file in another native transfer syntax (PS3.5 §10; PS3.10 §7).
public enum NativeTranscoder {
    /// Target names accepted on the command line.
    public static let targets: [String: TransferSyntax] = [
        "explicit-little": .explicitVRLittleEndian,
        "implicit-little": .implicitVRLittleEndian,
        "deflated": .deflatedExplicitVRLittleEndian,
    ]

    public struct Result: Sendable {
        public var outputSyntax: TransferSyntax
        /// Problems: read diagnostics and the reason the target could not be honoured.
        public var diagnostics: [Diagnostic]
        /// The target syntax was used.
        public var transcoded: Bool
    }

    /// Reads `input` and writes it to `output` in `target`. Encapsulated Pixel Data cannot become
    /// native without a decoder, so such a file is copied with its own syntax and `transcoded` is false.
    public static func transcode(input: String, output: String, to target: TransferSyntax, sourceAETitle: String? = nil) throws -> Result {
        let file = try Part10Reader.read(path: input)
        var diags = file.diagnostics
        var syntax = target
        var transcoded = true
        if let px = file.dataSet[.pixelData], px.fragments != nil {
            syntax = file.transferSyntax
            transcoded = false
            diags.append(Diagnostic(.error, "encapsulated-pixel-data",
                "Pixel Data is encapsulated (\(file.transferSyntax)); copied unchanged in that syntax, not converted to \(target.name)",
                tag: .pixelData))
        }
        let bytes = try Part10Writer.encode(dataSet: file.dataSet, fileMeta: file.fileMeta,
                                            options: WriteOptions(transferSyntax: syntax, sourceAETitle: sourceAETitle),
                                            preamble: nil)
        try Part10Writer.write(bytes, to: output)
        return Result(outputSyntax: syntax, diagnostics: diags, transcoded: transcoded)
    }
}
