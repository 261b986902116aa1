import DICOMCore
import Foundation

/// Frames in: the source Pixel Data as native frames, decoded on every core when encapsulated (PS3.5 §8.1, §8.2, A.4).
extension PixelTranscoder {
    /// Native frames, and the Photometric Interpretation and Planar Configuration they now have.
    struct NativeFrames {
        var frames: [[UInt8]]
        var photometric: String
        var planar: Int
    }

    func nativeFrames(_ px: DataElement, dataSet ds: DataSet, description d: PixelDescription, source: TransferSyntax) throws -> NativeFrames {
        // `decide` refused encapsulated Pixel Data in a native syntax already.
        guard let fr = px.fragments else { return try Self.splitNative(px, description: d, source: source) }
        let eot = ds[.extendedOffsetTable]?.bytes.map { b in stride(from: 0, to: b.count - 7, by: 8).map { le64(b, $0) } }
        let compressed = try Encapsulation.frames(fr, numberOfFrames: d.numberOfFrames, syntax: source, extendedOffsets: eot)
        if source == .encapsulatedUncompressedExplicitVRLittleEndian {
            return NativeFrames(
                frames: compressed.map { Array($0.prefix(d.frameLength)) }, photometric: d.photometricInterpretation,
                planar: d.planarConfiguration)
        }
        guard let decoder = codecs.decoder(for: source, d) else {
            throw PixelError.unsupported(source, codecs.canDecode(source) ? "no decoder for \(d)" : "no decoder")
        }
        let decoded = ConcurrentSlots<Result<DecodedFrame, any Error>>(count: compressed.count)
        DispatchQueue.concurrentPerform(iterations: compressed.count) { i in
            decoded[i] = Result { try decoder.decode(compressed[i], description: d, syntax: source) }
        }
        var out = NativeFrames(frames: [], photometric: d.photometricInterpretation, planar: 0)
        out.frames.reserveCapacity(compressed.count)
        for (i, r) in decoded.values.enumerated() {
            let f: DecodedFrame
            do { f = try r!.get() } catch {
                throw PixelError(.frameFailed, "frame \(i + 1) of \(compressed.count) (\(source.name)): \(error)", tag: .pixelData, cause: error)
            }
            guard f.bytes.count >= d.frameLength else {
                throw PixelError(
                    .shortPixelData, "frame \(i + 1) decoded to \(f.bytes.count) bytes; \(d) needs \(d.frameLength) (\(decoder.name))",
                    tag: .pixelData)
            }
            var bytes = f.bytes.count == d.frameLength ? f.bytes : Array(f.bytes.prefix(d.frameLength))
            if f.planarConfiguration == 1 { bytes = NativePixels.interleave(bytes, samples: d.samplesPerPixel, bytesPerSample: d.bytesPerSample) }
            NativePixels.normalise(&bytes, d)
            out.frames.append(bytes)
            out.photometric = f.photometricInterpretation
        }
        return out
    }

    /// Native Pixel Data cut into frames (1-bit data stays whole: its frames need not end on a byte) (PS3.5 8.1.1).
    static func splitNative(_ px: DataElement, description d: PixelDescription, source: TransferSyntax) throws -> NativeFrames {
        guard let all = px.bytes else { throw PixelError(.invalidDescription, "Pixel Data has no value", tag: .pixelData) }
        var frameLength = d.frameLength
        if d.photometricInterpretation == "YBR_FULL_422" && !source.isEncapsulated {
            frameLength = d.rows * ((d.columns + 1) / 2) * 4 * d.bytesPerSample  // PS3.3 C.7.6.3.1.2: 2 bytes per pixel
        }
        let needed = frameLength * d.numberOfFrames
        if d.bitsAllocated == 1 { frameLength = 0 }
        guard all.count >= needed else {
            throw PixelError(.shortPixelData, "native Pixel Data has \(all.count) bytes; \(d) needs \(needed) (PS3.5 8.1.1)", tag: .pixelData)
        }
        let frames = frameLength == 0 ? [all] : (0..<d.numberOfFrames).map { Array(all[($0 * frameLength)..<(($0 + 1) * frameLength)]) }
        return NativeFrames(frames: frames, photometric: d.photometricInterpretation, planar: d.planarConfiguration)
    }
}
