// libFuzzer entry point for the JPEG Lossless decoder (built only by scripts/fuzz.sh with
// FUZZ_TARGET=jpegll, from Fuzz/Package.swift with `-sanitize=fuzzer,address`).
//
// The input is one frame's codestream. Its Image Pixel attributes come from the first SOF3 header
// in it (else 8x8 16-bit), the same rule as JPLL.fuzzDescription in the tests, so that mutated
// streams get past the header checks. Properties checked on every input:
//  * decoding returns pixels or throws a CodecError; it never traps, hangs or touches memory it
//    should not (ASan);
//  * pixels that decode re-encode as SV1 and decode again to the same values (low Bits Stored
//    bits, sign-extended when signed): the encoder and decoder agree on anything the decoder accepts.
// Fuzz/jpeg.dict is the libFuzzer dictionary scripts/fuzz.sh passes for this target.
import DICOMCore
import DICOMPixel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let d = description(bytes)
    let codec = JPEGLosslessCodec()
    let decoded: DecodedFrame
    do {
        decoded = try codec.decode(bytes, description: d, syntax: .jpegLossless)
    } catch is CodecError {
        return 0
    } catch {
        fatalError("decode threw a non-CodecError: \(error)")
    }
    precondition(decoded.bytes.count == d.frameLength, "decoded \(decoded.bytes.count) bytes, expected \(d.frameLength)")
    guard codec.canEncode(d, syntax: .jpegLosslessSV1) else { return 0 }
    do {
        let encoded = try codec.encode(decoded.bytes, description: d, syntax: .jpegLosslessSV1, parameters: EncodeParameters())
        let again = try codec.decode(encoded.bytes, description: d, syntax: .jpegLosslessSV1)
        precondition(normalise(again.bytes, d) == normalise(decoded.bytes, d), "SV1 re-encoding of a decoded frame decodes differently")
    } catch {
        fatalError("re-encoding a decoded frame failed: \(error)")
    }
    return 0
}

/// Attributes from the first SOF3 header, else 8x8 16-bit monochrome.
func description(_ data: [UInt8]) -> PixelDescription {
    var i = 0
    while i + 10 < data.count {
        if data[i] == 0xFF && data[i + 1] == 0xC3 {
            let p = Int(data[i + 4]), y = Int(data[i + 5]) << 8 | Int(data[i + 6]), x = Int(data[i + 7]) << 8 | Int(data[i + 8])
            let nf = Int(data[i + 9])
            let ba = p <= 8 ? 8 : 16
            return PixelDescription(
                rows: y, columns: x, samplesPerPixel: max(1, min(nf, 4)), bitsAllocated: ba,
                bitsStored: max(1, min(p, ba)), pixelRepresentation: x & 1)
        }
        i += 1
    }
    return PixelDescription(rows: 8, columns: 8, bitsAllocated: 16, bitsStored: 16)
}

/// Low Bits Stored bits of each sample, sign-extended when signed.
func normalise(_ bytes: [UInt8], _ d: PixelDescription) -> [Int] {
    let bps = d.bytesPerSample
    return (0..<(bytes.count / bps)).map { i in
        var v = 0
        for b in 0..<bps { v |= Int(bytes[i * bps + b]) << (8 * b) }
        v &= (1 << d.bitsStored) - 1
        if d.isSigned && v >= 1 << (d.bitsStored - 1) { v -= 1 << d.bitsStored }
        return v
    }
}
