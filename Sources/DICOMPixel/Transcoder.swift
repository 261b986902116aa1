import DICOMCore
import DICOMIO
import Foundation

/// A transcoding failure: the syntax or attribute that stopped it and why (PS3.5 §10, §8).
public struct TranscodeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var tag: Tag?
    public init(_ message: String, tag: Tag? = nil) { self.message = message; self.tag = tag }
    public var description: String { message + (tag.map { " [tag \($0)]" } ?? "") }

    static func unsupported(_ ts: TransferSyntax, _ what: String) -> TranscodeError {
        TranscodeError("unsupported transfer syntax \(ts.name) (\(ts.uid)): \(what)", tag: .pixelData)
    }
}

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
public struct PixelTranscoder: Sendable {
    public var registry: CodecRegistry

    public init(registry: CodecRegistry = .shared) { self.registry = registry }

    /// Largest decoded frame accepted (2 GiB): a tiny codestream describing a huge image is refused, not allocated.
    public static let maxFrameBytes = 1 << 31

    /// Whether Pixel Data in `ts` can be decoded by some registered codec (native syntaxes always).
    public func canDecode(_ ts: TransferSyntax) -> Bool {
        !ts.isEncapsulated || ts == .encapsulatedUncompressedExplicitVRLittleEndian || registry.canDecode(ts)
    }

    /// Transcodes `dataSet` (read in `source`) to `target`. Lossy targets are encoded only when the caller asks for them by name.
    public func transcode(dataSet input: DataSet, fileMeta inputMeta: DataSet, from source: TransferSyntax, to target: TransferSyntax,
                          parameters: EncodeParameters = EncodeParameters()) throws -> TranscodeOutput {
        var ds = input
        var meta = inputMeta
        var diags: [Diagnostic] = []
        guard let px = ds[.pixelData] else {
            // Nothing to compress: the data set is written as Explicit VR LE when an encapsulated target was asked for (PS3.5 A.4).
            let ts = target.isEncapsulated ? TransferSyntax.explicitVRLittleEndian : target
            if ts != target {
                diags.append(Diagnostic(.info, "no-pixel-data", "no Pixel Data: written in \(ts.name) instead of \(target.name)"))
            }
            return TranscodeOutput(dataSet: ds, fileMeta: meta, transferSyntax: ts, lossy: false, diagnostics: diags)
        }
        guard let d = NativePixels.description(of: ds) else {
            throw TranscodeError("Pixel Data without Rows, Columns or Bits Allocated (PS3.3 C.7.6.3)", tag: .pixelData)
        }
        guard d.rows > 0, d.columns > 0, (1...4).contains(d.samplesPerPixel), [1, 8, 16, 32].contains(d.bitsAllocated),
              d.bitsStored >= 1, d.bitsStored <= d.bitsAllocated else {
            throw TranscodeError("Pixel Data description \(d) is not valid (PS3.3 C.7.6.3)", tag: .pixelData)
        }
        // Every size product checked: an impossible description is an error, never an arithmetic trap.
        let framesText = ds.string(.numberOfFrames)?.trimmingCharacters(in: .whitespaces) ?? ""
        if !framesText.isEmpty, (Int(framesText).map { $0 < 1 } ?? true) {
            throw TranscodeError("Number of Frames '\(framesText)' is not 1 or more: impossible image description (PS3.3 C.7.6.6)", tag: .numberOfFrames)
        }
        guard d.rows <= 65535, d.columns <= 65535 else {
            throw TranscodeError("Rows \(d.rows) or Columns \(d.columns) above 65535: impossible image description (PS3.3 C.7.6.3)", tag: .pixelData)
        }
        do {
            _ = try Completeness.nativePixelDataSize(rows: d.rows, columns: d.columns, samplesPerPixel: d.samplesPerPixel,
                                                     bitsAllocated: d.bitsAllocated, frames: d.numberOfFrames)
        } catch let e as DICOMParseError {
            throw TranscodeError("\(e.message) (PS3.3 C.7.6.3)", tag: .pixelData)
        }
        guard d.frameLength <= Self.maxFrameBytes else {
            throw TranscodeError("one frame of \(d) is \(d.frameLength) bytes, above the \(Self.maxFrameBytes)-byte limit of one decoded frame", tag: .pixelData)
        }
        if source == target {
            // Same syntax: the Pixel Data is kept byte for byte (never decoded and re-encoded, which could lose information).
            return TranscodeOutput(dataSet: ds, fileMeta: meta, transferSyntax: target, lossy: false, diagnostics: diags)
        }
        let sourceLossy = Self.isLossy(ds, syntax: source)

        // 1. Native frames.
        var frames: [[UInt8]]
        var photometric = d.photometricInterpretation
        var planar = d.planarConfiguration
        if let fr = px.fragments {
            guard source.isEncapsulated else {
                throw TranscodeError("Pixel Data is encapsulated but the transfer syntax \(source.name) is native (PS3.5 A.4)", tag: .pixelData)
            }
            let eot = ds[Tag(0x7FE0, 0x0001)]?.bytes.map { b in stride(from: 0, to: b.count - 7, by: 8).map { le64(b, $0) } }
            let compressed = try Encapsulation.frames(fr, numberOfFrames: d.numberOfFrames, syntax: source, extendedOffsets: eot)
            if source == .encapsulatedUncompressedExplicitVRLittleEndian {
                frames = compressed.map { Array($0.prefix(d.frameLength)) }
            } else {
                guard let decoder = registry.decoder(for: source, d) else {
                    throw TranscodeError.unsupported(source, registry.canDecode(source) ? "no decoder for \(d)" : "no decoder")
                }
                let decoded = ConcurrentSlots<Result<DecodedFrame, Error>>(count: compressed.count)
                DispatchQueue.concurrentPerform(iterations: compressed.count) { i in
                    decoded[i] = Result { try decoder.decode(compressed[i], description: d, syntax: source) }
                }
                frames = []
                frames.reserveCapacity(compressed.count)
                for (i, r) in decoded.values.enumerated() {
                    let f: DecodedFrame
                    do { f = try r!.get() } catch {
                        throw TranscodeError("frame \(i + 1) of \(compressed.count) (\(source.name)): \(error)", tag: .pixelData)
                    }
                    guard f.bytes.count >= d.frameLength else {
                        throw TranscodeError("frame \(i + 1) decoded to \(f.bytes.count) bytes; \(d) needs \(d.frameLength) (\(decoder.name))", tag: .pixelData)
                    }
                    var bytes = f.bytes.count == d.frameLength ? f.bytes : Array(f.bytes.prefix(d.frameLength))
                    if f.planarConfiguration == 1 { bytes = NativePixels.interleave(bytes, samples: d.samplesPerPixel, bytesPerSample: d.bytesPerSample) }
                    NativePixels.normalise(&bytes, d)
                    frames.append(bytes)
                    photometric = f.photometricInterpretation
                }
                planar = 0
            }
        } else {
            guard let all = px.bytes else { throw TranscodeError("Pixel Data has no value", tag: .pixelData) }
            var frameLength = d.frameLength
            if d.photometricInterpretation == "YBR_FULL_422" && !source.isEncapsulated {
                frameLength = d.rows * ((d.columns + 1) / 2) * 4 * d.bytesPerSample  // PS3.3 C.7.6.3.1.2: 2 bytes per pixel
            }
            let needed = frameLength * d.numberOfFrames
            if d.bitsAllocated == 1 { frameLength = 0 }
            guard all.count >= needed else {
                throw TranscodeError("native Pixel Data has \(all.count) bytes; \(d) needs \(needed) (PS3.5 8.1.1)", tag: .pixelData)
            }
            frames = frameLength == 0 ? [all] : (0..<d.numberOfFrames).map { Array(all[($0 * frameLength)..<(($0 + 1) * frameLength)]) }
        }

        // 2. Native target.
        if !target.isEncapsulated {
            if source.isEncapsulated {
                var bytes = frames.flatMap { $0 }
                if bytes.count % 2 == 1 { bytes.append(0) }
                ds.set(DataElement(tag: .pixelData, vr: d.bitsAllocated > 8 ? .OW : .OB, bytes: bytes))
                ds.setString(.photometricInterpretation, .CS, photometric)
                if d.samplesPerPixel > 1 { ds.setUInt16(.planarConfiguration, [0]) }
                _ = ds.remove(Tag(0x7FE0, 0x0001)); _ = ds.remove(Tag(0x7FE0, 0x0002))
                if sourceLossy { Self.markLossy(&ds, method: Self.lossyMethod(source), ratio: nil, diags: &diags, source: source) }
            }
            return TranscodeOutput(dataSet: ds, fileMeta: meta, transferSyntax: target, lossy: false, diagnostics: diags)
        }

        // 3. Encapsulated target: frames colour-by-pixel, in a photometric the encoder accepts.
        guard d.bitsAllocated != 1 else {
            throw TranscodeError("1-bit Pixel Data cannot be encapsulated in \(target.name) (PS3.5 8.1.1)", tag: .pixelData)
        }
        var e = d
        e.photometricInterpretation = photometric
        if planar == 1 && d.samplesPerPixel > 1 {
            frames = frames.map { NativePixels.interleave($0, samples: d.samplesPerPixel, bytesPerSample: d.bytesPerSample) }
        }
        e.planarConfiguration = 0
        if e.photometricInterpretation == "YBR_FULL_422" && !source.isEncapsulated {
            frames = try frames.map { try NativePixels.expandYBR422($0, rows: d.rows, columns: d.columns) }
            e.photometricInterpretation = "YBR_FULL"
        }
        var dropPalette = false
        if target.isLossy {
            if e.photometricInterpretation == "PALETTE COLOR" {
                // Lossy coding of palette indices would change colours arbitrarily: code the colours (PS3.3 C.7.6.3.1.2).
                frames = try frames.map { try NativePixels.expandPalette($0, e, dataSet: ds) }
                e.samplesPerPixel = 3; e.bitsAllocated = 8; e.bitsStored = 8; e.highBit = 7; e.pixelRepresentation = 0
                e.photometricInterpretation = "RGB"
                dropPalette = true
            } else if e.photometricInterpretation == "YBR_FULL" && e.bitsAllocated == 8 {
                frames = frames.map(NativePixels.ybrFullToRGB)
                e.photometricInterpretation = "RGB"
            }
        }
        guard let encoder = registry.encoder(for: target, e) else {
            throw TranscodeError.unsupported(target, registry.canEncode(target) ? "no encoder for \(e)" : "no encoder")
        }
        let input = frames
        let encoded = ConcurrentSlots<Result<EncodedFrame, Error>>(count: input.count)
        DispatchQueue.concurrentPerform(iterations: input.count) { i in
            encoded[i] = Result { try encoder.encode(input[i], description: e, syntax: target, parameters: parameters) }
        }
        var out: [[UInt8]] = []
        var outPhotometric = e.photometricInterpretation
        var outPlanar = 0
        for (i, r) in encoded.values.enumerated() {
            let f: EncodedFrame
            do { f = try r!.get() } catch {
                throw TranscodeError("encoding frame \(i + 1) of \(input.count) as \(target.name): \(error)", tag: .pixelData)
            }
            out.append(f.bytes)
            outPhotometric = f.photometricInterpretation
            outPlanar = f.planarConfiguration
        }
        let compressedSize = out.reduce(0) { $0 + $1.count }
        ds.set(DataElement(tag: .pixelData, vr: .OB, value: .fragments(Encapsulation.encapsulate(out))))
        _ = ds.remove(Tag(0x7FE0, 0x0001)); _ = ds.remove(Tag(0x7FE0, 0x0002))
        ds.setString(.photometricInterpretation, .CS, outPhotometric)
        if e.samplesPerPixel > 1 { ds.setUInt16(.planarConfiguration, [UInt16(outPlanar)]) }
        if dropPalette {
            ds.setUInt16(.samplesPerPixel, [3]); ds.setUInt16(.bitsAllocated, [8]); ds.setUInt16(.bitsStored, [8])
            ds.setUInt16(.highBit, [7]); ds.setUInt16(.pixelRepresentation, [0]); ds.setUInt16(.planarConfiguration, [0])
            for el in [0x1101, 0x1102, 0x1103, 0x1199, 0x1201, 0x1202, 0x1203, 0x1221, 0x1222, 0x1223] { _ = ds.remove(Tag(0x0028, UInt16(el))) }
        }
        let lossyStep = target.isLossy && !(target == .jpegLSNearLossless && parameters.near == 0)
        if lossyStep {
            let original = Double(d.frameLength * max(1, frames.count))
            let ratio = original / Double(max(1, compressedSize))
            Self.markLossy(&ds, method: Self.lossyMethod(target), ratio: ratio, diags: &diags, source: source)
            // A lossy copy is a new instance that references its predecessor (PS3.3 C.7.6.1.1.5, C.7.6.1.1.4).
            let oldUID = ds.string(.sopInstanceUID) ?? ""
            let newUID = UID.make()
            var ref = DataSet()
            if let cls = ds.string(.sopClassUID) { ref.setString(.referencedSOPClassUID, .UI, cls) }
            ref.setString(.referencedSOPInstanceUID, .UI, oldUID)
            var code = DataSet()
            code.setString(.codeValue, .SH, "121320"); code.setString(.codingSchemeDesignator, .SH, "DCM")
            code.setString(.codeMeaning, .LO, "Uncompressed predecessor")
            ref.setSequence(.purposeOfReferenceCodeSequence, [code])
            var sources = ds[.sourceImageSequence]?.items ?? []
            sources.append(ref)
            ds.setSequence(.sourceImageSequence, sources)
            let note = String(format: "Lossy compression with %@, ratio %.1f:1", target.name, ratio)
            let previous = ds.string(.derivationDescription).map { $0 + "; " } ?? ""
            ds.setString(.derivationDescription, .ST, String((previous + note).prefix(1024)))
            if var types = ds.strings(.imageType), !types.isEmpty { types[0] = "DERIVED"; ds.setString(.imageType, .CS, types) }
            ds.setString(.sopInstanceUID, .UI, newUID)
            meta.setString(.mediaStorageSOPInstanceUID, .UI, newUID)
            diags.append(Diagnostic(.info, "lossy", "\(note); new SOP Instance UID \(newUID) replaces \(oldUID)"))
        } else if sourceLossy {
            Self.markLossy(&ds, method: Self.lossyMethod(source), ratio: nil, diags: &diags, source: source)
        }
        return TranscodeOutput(dataSet: ds, fileMeta: meta, transferSyntax: target, lossy: lossyStep, diagnostics: diags)
    }

    /// Whether the pixels in `ds` have been through lossy compression (0028,2110), or its syntax is always lossy (PS3.3 C.7.6.1.1.5).
    public static func isLossy(_ ds: DataSet, syntax: TransferSyntax) -> Bool {
        if ds.string(.lossyImageCompression) == "01" { return true }
        if syntax == .jpegBaseline || syntax == .jpegExtended || syntax.uid == "1.2.840.10008.1.2.4.53" || syntax.uid == "1.2.840.10008.1.2.4.55" { return true }
        if (syntax == .jpeg2000 || syntax == .jpegLSNearLossless) && ds.string(.lossyImageCompression) != "00" { return true }
        return false
    }

    /// Lossy Image Compression Method defined terms (PS3.3 C.7.6.1.1.5.1).
    static func lossyMethod(_ ts: TransferSyntax) -> String {
        switch ts {
        case .jpegBaseline, .jpegExtended: return "ISO_10918_1"
        case .jpegLSNearLossless: return "ISO_14495_1"
        case .jpeg2000: return "ISO_15444_1"
        default: return ts.uid
        }
    }

    /// Sets Lossy Image Compression "01" and appends ratio and method (PS3.3 C.7.6.1.1.5).
    static func markLossy(_ ds: inout DataSet, method: String, ratio: Double?, diags: inout [Diagnostic], source: TransferSyntax) {
        let was = ds.string(.lossyImageCompression)
        ds.setString(.lossyImageCompression, .CS, "01")
        if let ratio {
            var ratios = ds.strings(.lossyImageCompressionRatio) ?? []
            ratios.append(String(format: "%.2f", ratio))
            ds.setString(.lossyImageCompressionRatio, .DS, ratios)
            var methods = ds.strings(.lossyImageCompressionMethod) ?? []
            methods.append(method)
            ds.setString(.lossyImageCompressionMethod, .CS, methods)
        } else if was != "01" {
            var methods = ds.strings(.lossyImageCompressionMethod) ?? []
            if methods.isEmpty { methods.append(method); ds.setString(.lossyImageCompressionMethod, .CS, methods) }
            diags.append(Diagnostic(.warning, "lossy-source", "pixels were lossy compressed (\(source.name)) but Lossy Image Compression was \(was.map { "'\($0)'" } ?? "absent"); set to 01", tag: .lossyImageCompression))
        }
    }
}
