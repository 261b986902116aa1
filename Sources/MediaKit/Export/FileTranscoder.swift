import DICOMCodecs
import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation
import FileSystem

/// Rewrites files in another transfer syntax, decoding and encoding Pixel Data (PS3.5 §8, §10; PS3.10 §7).
public enum FileTranscoder {
    /// Target names accepted on the command line, with whether the target loses information.
    public static let targets: [(name: String, syntax: TransferSyntax)] = [
        ("explicit-little", .explicitVRLittleEndian),
        ("implicit-little", .implicitVRLittleEndian),
        ("deflated", .deflatedExplicitVRLittleEndian),
        ("rle", .rleLossless),
        ("jpeg-baseline", .jpegBaseline),
        ("jpeg-extended", .jpegExtended),
        ("jpeg-lossless", .jpegLosslessSV1),
        ("jpeg-ls-lossless", .jpegLSLossless),
        ("jpeg-ls-near", .jpegLSNearLossless),
        ("j2k-lossless", .jpeg2000Lossless),
        ("j2k", .jpeg2000),
    ]

    /// The syntax named by `name` (a name above or a transfer syntax UID we can write).
    public static func target(named name: String) -> TransferSyntax? {
        if let t = targets.first(where: { $0.name == name.lowercased() }) { return t.syntax }
        return targets.first(where: { $0.syntax.uid == name })?.syntax
    }

    public struct Result: Sendable {
        public var input: String
        public var output: String
        public var outputSyntax: TransferSyntax
        public var diagnostics: [Diagnostic]
        public var lossy: Bool
        public var bytesIn: Int
        public var bytesOut: Int
    }

    /// Reads `input`, transcodes it to `target` and returns the Part 10 bytes and the result. A lossy copy gets
    /// `sopInstanceUID` (the one a plan predicted), or a new UID when nil.
    public static func encode(
        input: String, to target: TransferSyntax, parameters: EncodeParameters = EncodeParameters(),
        sourceAETitle: String? = nil, transform: ((inout DataSet, inout DataSet) throws -> Void)? = nil, sopInstanceUID: String? = nil
    ) throws -> (bytes: [UInt8], result: Result, dataSet: DataSet) {
        Codecs.registerAll()
        try Completeness.check(path: input)  // an instance cut short or impossible is refused, not rewritten
        let file = try Part10Reader.read(path: input)
        var ds = file.dataSet
        var meta = file.fileMeta
        if let transform { try transform(&ds, &meta) }
        let out: TranscodeOutput
        do {
            out = try PixelTranscoder().transcode(
                dataSet: ds, fileMeta: meta, from: file.transferSyntax, to: target, parameters: parameters, sopInstanceUID: sopInstanceUID)
        } catch let e as TranscodeError {
            throw refusal(e, from: file.transferSyntax, to: target, path: input)
        }
        let bytes = try Part10Writer.encode(
            dataSet: out.dataSet, fileMeta: out.fileMeta,
            options: WriteOptions(transferSyntax: out.transferSyntax, sourceAETitle: sourceAETitle))
        let r = Result(
            input: input, output: "", outputSyntax: out.transferSyntax, diagnostics: file.diagnostics + out.diagnostics,
            lossy: out.lossy, bytesIn: fileSize(input), bytesOut: bytes.count)
        return (bytes, r, out.dataSet)
    }

    /// A transcode the pixel data does not allow, as a refusal naming both syntaxes (code `refused`, the cause kept).
    static func refusal(_ e: TranscodeError, from source: TransferSyntax, to target: TransferSyntax, path: String) -> MediaError {
        MediaError(.refused, "cannot transcode from \(source.name) to \(target.name): \(e)", path: path, cause: e)
    }

    /// Transcodes one file to `output` (written atomically).
    public static func transcode(
        input: String, output: String, to target: TransferSyntax, parameters: EncodeParameters = EncodeParameters(),
        sourceAETitle: String? = nil
    ) throws -> Result {
        var (bytes, r, _) = try encode(input: input, to: target, parameters: parameters, sourceAETitle: sourceAETitle)
        try Part10Writer.write(bytes, to: output)
        r.output = output
        return r
    }

    /// Transcodes many files into `outDir` on every core; one failure does not stop the others.
    public static func transcode(
        inputs: [String], outDir: String, to target: TransferSyntax, parameters: EncodeParameters = EncodeParameters(),
        sourceAETitle: String? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> [Swift.Result<Result, Error>] {
        try makeDirectories(outDir)
        var names: [String] = []
        var used = Set<String>()
        for path in inputs {
            let base = (path as NSString).lastPathComponent
            var name = base, n = 1
            while used.contains(name) { n += 1; name = "\(base)_\(n)" }
            used.insert(name); names.append(outDir + "/" + name)
        }
        let outputs = names
        let results = ConcurrentSlots<Swift.Result<Result, Error>>(count: inputs.count)
        let done = ConcurrentCounter()
        DispatchQueue.concurrentPerform(iterations: inputs.count) { i in
            results[i] = Swift.Result { try transcode(input: inputs[i], output: outputs[i], to: target, parameters: parameters, sourceAETitle: sourceAETitle) }
            let k = done.increment()
            progress?(k, inputs.count)
        }
        return results.values.map { $0! }
    }
}
