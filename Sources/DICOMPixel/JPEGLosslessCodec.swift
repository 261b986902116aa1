import DICOMCore

/// JPEG Lossless, pure Swift: decodes Process 14 with any predictor (1.2.840.10008.1.2.4.57) and
/// Selection Value 1 (1.2.840.10008.1.2.4.70), encodes SV1, 2-16 bits (ISO/IEC 10918-1 Annex H; PS3.5 A.4.1).
public struct JPEGLosslessCodec: PixelCodec {
    public let name = "JPEG Lossless"
    public init() {}

    public var decodableSyntaxes: Set<String> { [TransferSyntax.jpegLossless.uid, TransferSyntax.jpegLosslessSV1.uid] }
    public var encodableSyntaxes: Set<String> { [TransferSyntax.jpegLosslessSV1.uid] }

    public func canDecode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        decodableSyntaxes.contains(syntax.uid) && [8, 16, 32].contains(d.bitsAllocated) && (1...4).contains(d.samplesPerPixel)
    }

    public func canEncode(_ d: PixelDescription, syntax: TransferSyntax) -> Bool {
        encodeProblem(d, syntax: syntax) == nil
    }

    /// Why `d` cannot be encoded, or nil.
    func encodeProblem(_ d: PixelDescription, syntax: TransferSyntax) -> String? {
        if syntax.uid != TransferSyntax.jpegLosslessSV1.uid { return "only \(TransferSyntax.jpegLosslessSV1) is encoded, not \(syntax)" }
        if d.samplesPerPixel != 1 && d.samplesPerPixel != 3 { return "Samples per Pixel \(d.samplesPerPixel); 1 or 3 are encoded" }
        if d.bitsAllocated != 8 && d.bitsAllocated != 16 { return "Bits Allocated \(d.bitsAllocated); 8 or 16 are encoded" }
        if !(2...16).contains(d.bitsStored) || d.bitsStored > d.bitsAllocated {
            return "Bits Stored \(d.bitsStored) with Bits Allocated \(d.bitsAllocated); JPEG Lossless precision is 2-16 (ISO 10918-1 H.4.1)"
        }
        if !(1...65535).contains(d.rows) || !(1...65535).contains(d.columns) {
            return "\(d.columns)x\(d.rows) pixels; JPEG allows 1-65535 each way (ISO 10918-1 B.2.2)"
        }
        if d.photometricInterpretation.hasSuffix("_422") || d.photometricInterpretation.hasSuffix("_420") {
            return "Photometric Interpretation \(d.photometricInterpretation) is subsampled; lossless JPEG here codes full-resolution components (PS3.5 8.2.1)"
        }
        return nil
    }

    public func decode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax) throws -> DecodedFrame {
        guard decodableSyntaxes.contains(syntax.uid) else {
            throw PixelError(.unsupportedCoding, codec: name, "cannot decode \(syntax); this codec decodes JPEG Lossless (.57, .70)")
        }
        guard [8, 16, 32].contains(d.bitsAllocated) else {
            throw PixelError(.unsupportedCoding, codec: name, "Bits Allocated \(d.bitsAllocated) is not 8, 16 or 32 (PS3.5 8.2.1)")
        }
        let image = try JPEGLosslessDecoder.decode(frame, expected: (d.columns, d.rows, d.samplesPerPixel))
        guard image.precision <= d.bitsAllocated else {
            throw PixelError(.frameMismatch, codec: name, "sample precision \(image.precision) does not fit Bits Allocated \(d.bitsAllocated) (PS3.5 8.2.1)")
        }
        let bytes = Self.native(image, bitsAllocated: d.bitsAllocated, bitsStored: d.bitsStored, signed: d.isSigned)
        return DecodedFrame(bytes: bytes, photometricInterpretation: d.photometricInterpretation, planarConfiguration: 0)
    }

    /// Samples as little-endian words, point transform undone, signed values sign-extended from `bitsStored` (PS3.5 8.1.1).
    static func native(_ image: JPEGLosslessImage, bitsAllocated: Int, bitsStored: Int, signed: Bool) -> [UInt8] {
        let n = image.samples.count
        let bytesPerSample = bitsAllocated / 8
        let comps = image.components
        let noShift = image.pointTransforms.allSatisfy { $0 == 0 }
        let signShift = UInt64(64 - max(1, min(bitsStored, bitsAllocated)))
        if bytesPerSample == 2 && noShift && !signed {
            return image.samples.withUnsafeBytes { raw in
                // Little-endian host (Linux x86-64/arm64): the UInt16 array is already the answer.
                [UInt8](raw)
            }
        }
        if bytesPerSample == 2, let pt = image.pointTransforms.first, image.pointTransforms.allSatisfy({ $0 == pt }) {
            // One shift for all components: a tight loop the compiler vectorises.
            let sh = Int32(signShift) - 32
            return [UInt8](unsafeUninitializedCapacity: n * 2) { out, written in
                let o = UnsafeMutableRawPointer(out.baseAddress!).bindMemory(to: UInt16.self, capacity: n)
                image.samples.withUnsafeBufferPointer { s in
                    if signed {
                        for i in 0..<n { o[i] = UInt16(truncatingIfNeeded: ((Int32(s[i]) &<< Int32(pt)) &<< sh) &>> sh).littleEndian }
                    } else {
                        for i in 0..<n { o[i] = UInt16(truncatingIfNeeded: Int32(s[i]) &<< Int32(pt)).littleEndian }
                    }
                }
                written = n * 2
            }
        }
        return [UInt8](unsafeUninitializedCapacity: n * bytesPerSample) { out, written in
            image.samples.withUnsafeBufferPointer { s in
                for i in 0..<n {
                    var v = Int(s[i]) << image.pointTransforms[comps == 1 ? 0 : i % comps]
                    if signed { v = (v &<< signShift) >> signShift }
                    switch bytesPerSample {
                    case 1:
                        out[i] = UInt8(truncatingIfNeeded: v)
                    case 2:
                        out[2 * i] = UInt8(truncatingIfNeeded: v); out[2 * i + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    default:
                        for b in 0..<4 { out[4 * i + b] = UInt8(truncatingIfNeeded: v >> (8 * b)) }
                    }
                }
            }
            written = n * bytesPerSample
        }
    }

    public func encode(_ frame: [UInt8], description d: PixelDescription, syntax: TransferSyntax, parameters: EncodeParameters) throws -> EncodedFrame {
        if let problem = encodeProblem(d, syntax: syntax) { throw PixelError(.cannotEncode, codec: name, "cannot encode: \(problem)") }
        let bytesPerSample = d.bitsAllocated / 8
        let need = d.rows * d.columns * d.samplesPerPixel * bytesPerSample
        guard frame.count >= need else {
            throw PixelError(.shortPixelData, codec: name, "frame has \(frame.count) bytes, \(need) expected for \(d) (PS3.5 8.1.1)")
        }
        let bytes = frame.withUnsafeBytes { raw in
            JPEGLosslessEncoder.encode(
                raw, bytesPerSample: bytesPerSample, width: d.columns, height: d.rows,
                components: d.samplesPerPixel, precision: d.bitsStored)
        }
        return EncodedFrame(bytes: bytes, photometricInterpretation: d.photometricInterpretation, planarConfiguration: 0)
    }
}
