import DICOMCodecs
import DICOMCore
import DICOMFileSet
import DICOMIO
import DICOMPixel

/// The transfer syntax an instance is written in on a medium (PS3.11 profile tables; PS3.5 §10).
public enum SyntaxChoice {
    static let losslessEncapsulated: Set<String> = [
        TransferSyntax.jpegLossless.uid, TransferSyntax.jpegLosslessSV1.uid, TransferSyntax.jpegLSLossless.uid,
        TransferSyntax.jpeg2000Lossless.uid, TransferSyntax.rleLossless.uid,
    ]
    static let lossyEncapsulated: Set<String> = [
        TransferSyntax.jpegBaseline.uid, TransferSyntax.jpegExtended.uid,
        TransferSyntax.jpegLSNearLossless.uid, TransferSyntax.jpeg2000.uid,
    ]

    /// nil when `current` can be copied untouched; else the syntax to transcode to. Throws a `syntaxRefused` MediaError naming the profile rule.
    public static func target(
        current: TransferSyntax, header: DataSet, profile: ApplicationProfile, sopClassUID: String,
        mode: CompressionMode, recompress: Bool, registry: CodecRegistry = .standard
    ) throws -> TransferSyntax? {
        Codecs.registerAll()
        let allowed = profile.transferSyntaxes(for: sopClassUID)
        if allowed.contains(current.uid) && !recompress { return nil }
        let native = allowed.filter { u in
            let t = TransferSyntax(uid: u); return !t.isEncapsulated && Part10Writer.canWrite(t)
        }
        let lossless = allowed.filter(losslessEncapsulated.contains)
        let lossy = allowed.filter(lossyEncapsulated.contains)
        let candidates: [String]
        switch mode {
        case .none: candidates = native
        case .lossless: candidates = lossless + native
        case .lossy: candidates = lossy + lossless + native
        }
        let description = NativePixels.description(of: header)
        let hasPixels = header.contains(.rows) && description != nil
        for uid in candidates {
            let ts = TransferSyntax(uid: uid)
            if !ts.isEncapsulated { return ts == current ? nil : ts }
            guard hasPixels, let d = description else { continue }
            var e = d
            // Lossy coding codes colours, not palette indices (see PixelTranscoder).
            if ts.isLossy && d.photometricInterpretation == "PALETTE COLOR" {
                e.samplesPerPixel = 3; e.bitsAllocated = 8; e.bitsStored = 8; e.highBit = 7; e.photometricInterpretation = "RGB"
            }
            if ts.isLossy && (d.photometricInterpretation == "YBR_FULL" || d.photometricInterpretation == "YBR_FULL_422") {
                e.photometricInterpretation = "RGB"
            }
            if registry.encoder(for: ts, e) != nil { return ts == current && !recompress ? nil : ts }
        }
        if !hasPixels, let first = native.first { return TransferSyntax(uid: first) }
        let names = allowed.map { TransferSyntax(uid: $0).name }.joined(separator: ", ")
        throw MediaError(
            .syntaxRefused,
            "\(profile.id) allows \(names); none can be written from \(current.name) with --compression \(mode.rawValue)"
                + (description.map { " for \($0)" } ?? "") + " (\(profile.transferSyntaxRule))")
    }
}
