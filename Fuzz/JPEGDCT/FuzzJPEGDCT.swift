// libFuzzer entry point for the sequential DCT JPEG decoder (built only by scripts/fuzz.sh with
// FUZZ_TARGET=jpegdct, from Fuzz/Package.swift with `-sanitize=fuzzer,address`).
//
// Input: one JPEG frame. The description is taken from the first SOF0/SOF1 marker found (so real
// streams decode), with the area capped at 2^19 pixels; the Photometric Interpretation alternates
// between YBR_FULL and RGB by input length so both colour paths run.
// Property: decode returns native pixels of the frame size or throws CodecError; never traps or hangs.
import DICOMCore
import DICOMPixel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var rows = 8, cols = 8, spp = 1, precision = 8
    var i = 0
    while i + 10 < bytes.count {
        if bytes[i] == 0xFF && (bytes[i + 1] == 0xC0 || bytes[i + 1] == 0xC1) {
            precision = Int(bytes[i + 4])
            rows = Int(bytes[i + 5]) << 8 | Int(bytes[i + 6])
            cols = Int(bytes[i + 7]) << 8 | Int(bytes[i + 8])
            spp = Int(bytes[i + 9])
            break
        }
        i += 1
    }
    guard rows > 0, cols > 0, rows * cols <= 1 << 19, spp == 1 || spp == 3 else { return 0 }
    let bits = precision > 8 ? 16 : 8
    let d = PixelDescription(
        rows: rows, columns: cols, samplesPerPixel: spp, bitsAllocated: bits, bitsStored: precision > 8 ? 12 : 8,
        photometricInterpretation: spp == 1 ? "MONOCHROME2" : (size % 2 == 0 ? "YBR_FULL" : "RGB"))
    let codec = JPEGExtendedCodec()
    for syntax in [TransferSyntax.jpegExtended] {
        if let out = try? codec.decode(bytes, description: d, syntax: syntax) {
            precondition(out.bytes.count == d.frameLength, "decoded \(out.bytes.count) bytes for \(d)")
        }
    }
    return 0
}
