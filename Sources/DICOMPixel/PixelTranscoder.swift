import DICOMCore
import DICOMIO
import Foundation

/// The result of transcoding a data set.
public struct TranscodeOutput: Sendable {
    public var dataSet: DataSet
    public var fileMeta: DataSet
    /// The syntax the data set must now be written in.
    public var transferSyntax: TransferSyntax
    /// This step lost information (a lossy encoder ran); the SOP Instance UID is new.
    public var lossy: Bool
    public var diagnostics: [Diagnostic]
}

/// Decodes Pixel Data from any supported syntax and encodes it in another, frame by frame on
/// every core, updating the attributes the target requires (PS3.5 §8.2, §10; PS3.3 C.7.6.1.1.5).
///
/// The steps live in their own files: frames in (`+FramesIn`), colour (`+Colour`), frames out
/// (`+FramesOut`) and the lossy bookkeeping (`LossyCompression`).
public struct PixelTranscoder: Sendable {
    /// The codecs used, in order of preference (DICOMCodecs' `PixelTranscoder()` takes `CodecRegistry.standard`).
    public var codecs: CodecRegistry

    public init(codecs: CodecRegistry) { self.codecs = codecs }

    /// Largest decoded frame accepted (2 GiB): a tiny codestream describing a huge image is refused, not allocated.
    public static let maxFrameBytes = 1 << 31

    /// Whether Pixel Data in `ts` can be decoded by some registered codec (native syntaxes always).
    public func canDecode(_ ts: TransferSyntax) -> Bool {
        !ts.isEncapsulated || ts == .encapsulatedUncompressedExplicitVRLittleEndian || codecs.canDecode(ts)
    }

    /// Transcodes `dataSet` (read in `source`) to `target`. Lossy targets are encoded only when the caller asks for them by name;
    /// a lossy copy gets `sopInstanceUID` (a new UID when nil), the one ``plan(header:hasPixelData:from:to:parameters:sopInstanceUID:)`` was given.
    public func transcode(
        dataSet input: DataSet, fileMeta inputMeta: DataSet, from source: TransferSyntax, to target: TransferSyntax,
        parameters: EncodeParameters = EncodeParameters(), sopInstanceUID: String? = nil
    ) throws -> TranscodeOutput {
        var ds = input
        var meta = inputMeta
        var diags: [Diagnostic] = []
        let px = ds[.pixelData]
        let decision = try decide(
            ds, hasPixelData: px != nil, encapsulated: px?.fragments != nil, from: source, to: target, parameters: parameters)
        guard let px, let d = decision.description, decision.route != .keep else {
            Self.noteNoPixelData(decision.outputSyntax, target: target, diags: &diags)
            return TranscodeOutput(dataSet: ds, fileMeta: meta, transferSyntax: decision.outputSyntax, lossy: false, diagnostics: diags)
        }
        let native = try nativeFrames(px, dataSet: ds, description: d, source: source)
        if decision.route == .toNative {
            if source.isEncapsulated {
                Self.setNativePixelData(native, description: d, in: &ds)
                if decision.sourceLossy { Self.markLossy(&ds, method: Self.lossyMethod(source), ratio: nil, diags: &diags, source: source) }
            }
            return TranscodeOutput(dataSet: ds, fileMeta: meta, transferSyntax: target, lossy: false, diagnostics: diags)
        }
        let ready = try Self.colourForEncoding(native, description: d, source: source, target: target, dataSet: ds)
        let compressedSize = try encodeFrames(ready, target: target, parameters: parameters, into: &ds)
        if decision.lossyStep {
            let original = Double(d.frameLength * max(1, ready.frames.count))
            let ratio = original / Double(max(1, compressedSize))
            Self.recordLossyStep(&ds, meta: &meta, target: target, ratio: ratio, uid: sopInstanceUID ?? UID.make(), diags: &diags, source: source)
        } else if decision.sourceLossy {
            Self.markLossy(&ds, method: Self.lossyMethod(source), ratio: nil, diags: &diags, source: source)
        }
        return TranscodeOutput(dataSet: ds, fileMeta: meta, transferSyntax: target, lossy: decision.lossyStep, diagnostics: diags)
    }

    /// The Image Pixel Module of `ds`, every size product checked: an impossible description is an error, never an arithmetic trap (PS3.3 C.7.6.3).
    static func checkedDescription(of ds: DataSet) throws -> PixelDescription {
        guard let d = NativePixels.description(of: ds) else {
            throw PixelError(.invalidDescription, "Pixel Data without Rows, Columns or Bits Allocated (PS3.3 C.7.6.3)", tag: .pixelData)
        }
        guard d.rows > 0, d.columns > 0, (1...4).contains(d.samplesPerPixel), [1, 8, 16, 32].contains(d.bitsAllocated),
            d.bitsStored >= 1, d.bitsStored <= d.bitsAllocated
        else {
            throw PixelError(.invalidDescription, "Pixel Data description \(d) is not valid (PS3.3 C.7.6.3)", tag: .pixelData)
        }
        let framesText = ds.string(.numberOfFrames)?.trimmingCharacters(in: .whitespaces) ?? ""
        if !framesText.isEmpty, Int(framesText).map({ $0 < 1 }) ?? true {
            throw PixelError(
                .invalidDescription, "Number of Frames '\(framesText)' is not 1 or more: impossible image description (PS3.3 C.7.6.6)",
                tag: .numberOfFrames)
        }
        guard d.rows <= 65535, d.columns <= 65535 else {
            throw PixelError(
                .invalidDescription, "Rows \(d.rows) or Columns \(d.columns) above 65535: impossible image description (PS3.3 C.7.6.3)",
                tag: .pixelData)
        }
        do {
            _ = try Completeness.nativePixelDataSize(
                rows: d.rows, columns: d.columns, samplesPerPixel: d.samplesPerPixel,
                bitsAllocated: d.bitsAllocated, frames: d.numberOfFrames)
        } catch let e as DICOMParseError {
            throw PixelError(.invalidDescription, "\(e.message) (PS3.3 C.7.6.3)", tag: .pixelData, cause: e)
        }
        guard d.frameLength <= Self.maxFrameBytes else {
            throw PixelError(
                .invalidDescription, "one frame of \(d) is \(d.frameLength) bytes, above the \(Self.maxFrameBytes)-byte limit of one decoded frame",
                tag: .pixelData)
        }
        return d
    }
}
