// libFuzzer entry point for the RLE Lossless codec (built only by scripts/fuzz.sh with
// FUZZ_TARGET=rle, from Fuzz/Package.swift with `-sanitize=fuzzer,address`).
//
// Input: 4 bytes rows-1 and columns-1 (UInt16 LE each, area capped at 2^16 pixels, rows cut to fit, which keeps runs fast), then one RLE frame
// (PS3.5 G.5). The layout (samples, Bits Allocated) follows the header's segment count so real frames
// decode: 1 → 8-bit mono, 2 → 16-bit mono, 3 → 8-bit RGB, 4 → 32-bit mono, 6 → 16-bit RGB, 12 → 32-bit RGB.
// Properties: decode returns pixels of the frame size or throws CodecError; never traps or hangs. Whatever
// decodes re-encodes, and the encoding decodes to the same pixels (round trip).
import DICOMCore
import DICOMPixel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 8 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var rows = (Int(bytes[0]) | Int(bytes[1]) << 8) + 1
    let cols = (Int(bytes[2]) | Int(bytes[3]) << 8) + 1
    if rows * cols > 1 << 16 { rows = max(1, (1 << 16) / cols) }
    let frame = Array(bytes[4...])
    let segments = Int(frame[0])
    let layout: (Int, Int)
    switch segments {
    case 2: layout = (1, 16)
    case 3: layout = (3, 8)
    case 4: layout = (1, 32)
    case 6: layout = (3, 16)
    case 12: layout = (3, 32)
    default: layout = (1, 8)
    }
    // Signed 16-bit mono stores 12-15 bits (decode sign-extends, encode keeps that); unsigned uses every bit,
    // since decoding keeps bits above Bits Stored as found while encoding masks them.
    let signed = bytes[1] & 0x80 != 0 && layout == (1, 16)
    let stored = signed ? 12 + Int(bytes[3] & 3) : layout.1
    let d = PixelDescription(
        rows: rows, columns: cols, samplesPerPixel: layout.0, bitsAllocated: layout.1, bitsStored: stored,
        pixelRepresentation: signed ? 1 : 0, photometricInterpretation: layout.0 == 3 ? "RGB" : "MONOCHROME2")
    let codec = RLECodec()
    guard let decoded = try? codec.decode(frame, description: d, syntax: .rleLossless) else { return 0 }
    precondition(decoded.bytes.count == d.frameLength, "decoded \(decoded.bytes.count) bytes for \(d)")
    guard let encoded = try? codec.encode(decoded.bytes, description: d, syntax: .rleLossless, parameters: EncodeParameters()) else {
        fatalError("decoded frame does not re-encode: \(d)")
    }
    precondition(encoded.bytes.count % 2 == 0)
    let again = try? codec.decode(encoded.bytes, description: d, syntax: .rleLossless)
    precondition(again?.bytes == decoded.bytes, "round trip differs for \(d)")
    return 0
}
