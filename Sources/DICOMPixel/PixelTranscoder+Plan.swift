import DICOMCore

/// What transcoding a data set will do, decided from its header alone (PS3.5 §8, §10): the output
/// syntax, whether a lossy step makes a new instance, and the refusals the header already shows.
public struct TranscodePrediction: Sendable {
    /// The syntax the output is written in.
    public var outputSyntax: TransferSyntax
    /// A lossy encoder will run: the output is a new instance with the SOP Instance UID given (PS3.3 C.7.6.1.1.5).
    public var lossy: Bool
    /// Why the transcode cannot be done, when the header shows it (description, codecs, 1-bit data); nil: it is expected to succeed.
    public var refusal: PixelError?
    /// The header as the output will have it, less what only the codecs measure (compression ratio, the encoder's Photometric Interpretation).
    public var header: DataSet
    public var diagnostics: [Diagnostic]
}

/// The decision shared by ``PixelTranscoder/plan(header:hasPixelData:from:to:parameters:sopInstanceUID:)`` and
/// ``PixelTranscoder/transcode(dataSet:fileMeta:from:to:parameters:sopInstanceUID:)``, so the two cannot drift.
extension PixelTranscoder {
    enum Route { case noPixelData, keep, toNative, encode }

    struct Decision {
        var route: Route
        var outputSyntax: TransferSyntax
        var description: PixelDescription?
        /// The source pixels were lossy compressed (PS3.3 C.7.6.1.1.5).
        var sourceLossy = false
        /// The encoder loses information: the output is a new instance.
        var lossyStep = false
    }

    /// The route from `source` to `target` of a data set whose Pixel Data is present (`hasPixelData`) and
    /// encapsulated (`encapsulated`); throws the refusals the header shows (PS3.3 C.7.6.3; PS3.5 8.1.1, A.4).
    func decide(
        _ ds: DataSet, hasPixelData: Bool, encapsulated: Bool, from source: TransferSyntax, to target: TransferSyntax,
        parameters: EncodeParameters
    ) throws -> Decision {
        // Nothing to compress: the data set is written as Explicit VR LE when an encapsulated target was asked for (PS3.5 A.4).
        guard hasPixelData else { return Decision(route: .noPixelData, outputSyntax: target.isEncapsulated ? .explicitVRLittleEndian : target) }
        let d = try Self.checkedDescription(of: ds)
        // Same syntax: the Pixel Data is kept byte for byte (never decoded and re-encoded, which could lose information).
        if source == target { return Decision(route: .keep, outputSyntax: target, description: d) }
        var decision = Decision(route: .toNative, outputSyntax: target, description: d, sourceLossy: Self.isLossy(ds, syntax: source))
        if encapsulated {
            guard source.isEncapsulated else {
                throw PixelError(.encapsulation, "Pixel Data is encapsulated but the transfer syntax \(source.name) is native (PS3.5 A.4)", tag: .pixelData)
            }
            if source != .encapsulatedUncompressedExplicitVRLittleEndian && codecs.decoder(for: source, d) == nil {
                throw PixelError.unsupported(source, codecs.canDecode(source) ? "no decoder for \(d)" : "no decoder")
            }
        }
        guard target.isEncapsulated else { return decision }
        guard d.bitsAllocated != 1 else {
            throw PixelError(.cannotEncode, "1-bit Pixel Data cannot be encapsulated in \(target.name) (PS3.5 8.1.1)", tag: .pixelData)
        }
        // The decoder's Photometric Interpretation is known only once decoded: refused when no plausible one has an encoder.
        let inputs = Self.decodedPhotometrics(d, source: source, encapsulated: encapsulated).map {
            Self.encoderInputPlan(d, photometric: $0, source: source, target: target).description
        }
        guard inputs.contains(where: { codecs.encoder(for: target, $0) != nil }) else {
            throw PixelError.unsupported(target, codecs.canEncode(target) ? "no encoder for \(inputs[0])" : "no encoder")
        }
        decision.route = .encode
        decision.lossyStep = target.isLossy && !(target == .jpegLSNearLossless && parameters.near == 0)
        return decision
    }

    /// The Photometric Interpretations decoded frames may have, most likely first: YBR JPEG and JPEG 2000
    /// colour comes out as RGB (PS3.5 8.2.1, 8.2.4); native and other frames keep theirs.
    static func decodedPhotometrics(_ d: PixelDescription, source: TransferSyntax, encapsulated: Bool) -> [String] {
        let p = d.photometricInterpretation
        guard encapsulated, source != .encapsulatedUncompressedExplicitVRLittleEndian, d.samplesPerPixel == 3 else { return [p] }
        let jpeg = source == .jpegBaseline || source == .jpegExtended
        let likely = (jpeg && (p.hasPrefix("YBR") || d.bitsAllocated == 8)) || p == "YBR_RCT" || p == "YBR_ICT" ? "RGB" : p
        return [likely] + [p, "RGB"].filter { $0 != likely }
    }

    /// Predicts transcoding the data set whose header (without Pixel Data) is `header` from `source` to
    /// `target`: reads no pixel data and encodes nothing. `sopInstanceUID` is the UID a lossy copy gets
    /// (pass the same to ``transcode(dataSet:fileMeta:from:to:parameters:sopInstanceUID:)``).
    public func plan(
        header: DataSet, hasPixelData: Bool = true, from source: TransferSyntax, to target: TransferSyntax,
        parameters: EncodeParameters = EncodeParameters(), sopInstanceUID: String? = nil
    ) -> TranscodePrediction {
        var ds = header
        var meta = DataSet()
        var diags: [Diagnostic] = []
        let decision: Decision
        do {
            decision = try decide(ds, hasPixelData: hasPixelData, encapsulated: source.isEncapsulated, from: source, to: target, parameters: parameters)
        } catch {
            let refusal = error as? PixelError ?? PixelError(.invalidDescription, "\(error)", tag: .pixelData, cause: error)
            return TranscodePrediction(outputSyntax: target, lossy: false, refusal: refusal, header: header, diagnostics: [])
        }
        switch decision.route {
        case .noPixelData:
            Self.noteNoPixelData(decision.outputSyntax, target: target, diags: &diags)
        case .keep:
            break
        case .toNative:
            guard source.isEncapsulated, let d = decision.description else { break }
            let native = NativeFrames(frames: [], photometric: Self.decodedPhotometrics(d, source: source, encapsulated: true)[0], planar: 0)
            Self.setNativeAttributes(native, description: d, in: &ds)
            if decision.sourceLossy { Self.markLossy(&ds, method: Self.lossyMethod(source), ratio: nil, diags: &diags, source: source) }
        case .encode:
            guard let d = decision.description else { break }
            let photometric = Self.decodedPhotometrics(d, source: source, encapsulated: source.isEncapsulated)[0]
            let input = Self.encoderInputPlan(d, photometric: photometric, source: source, target: target)
            Self.setEncapsulatedAttributes(
                photometric: input.description.photometricInterpretation, planar: 0, description: input.description,
                paletteExpanded: input.expandPalette, in: &ds)
            if decision.lossyStep {
                Self.recordLossyStep(&ds, meta: &meta, target: target, ratio: nil, uid: sopInstanceUID ?? UID.make(), diags: &diags, source: source)
            } else if decision.sourceLossy {
                Self.markLossy(&ds, method: Self.lossyMethod(source), ratio: nil, diags: &diags, source: source)
            }
        }
        return TranscodePrediction(outputSyntax: decision.outputSyntax, lossy: decision.lossyStep, refusal: nil, header: ds, diagnostics: diags)
    }

    static func noteNoPixelData(_ ts: TransferSyntax, target: TransferSyntax, diags: inout [Diagnostic]) {
        if ts != target { diags.append(Diagnostic(.info, .noPixelData, "no Pixel Data: written in \(ts.name) instead of \(target.name)")) }
    }
}
