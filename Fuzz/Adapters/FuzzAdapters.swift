// libFuzzer entry point for the C-library codec adapters (built only by scripts/fuzz.sh with
// FUZZ_TARGET=adapters, from Fuzz/Package.swift with `-sanitize=fuzzer,address`).
//
// The first byte picks the decoder (mod 3: libjpeg-turbo, OpenJPEG, CharLS); the rest is one
// frame. The frame's own header supplies the Image Pixel description (as a consistent data set
// would), so inputs reach the library instead of stopping at the size check. Properties:
//  * decoding returns a frame or throws CodecError; it never traps, hangs or touches memory it
//    should not (ASan; the system C libraries themselves are not instrumented, so only their
//    crashes and their misuse of our buffers are seen);
//  * a decoded frame has exactly the native length of its description and reports planar 0.
// Frames over 2^22 samples are skipped (a memory cap for the harness, not a codec limit).
import DICOMCodecs
import DICOMCore
import DICOMPixel

let turbo = TurboJPEGCodec(), openjpeg = OpenJPEGCodec(), charls = CharLSCodec()
let maxSamples = 1 << 22

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let frame = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 3 {
    case 0:
        guard let h = try? JPEGHeader.parse(frame, codec: "fuzz"), h.componentIDs.count == 1 || h.componentIDs.count == 3 else { return 0 }
        let spp = h.componentIDs.count
        let d = PixelDescription(
            rows: h.rows, columns: h.columns, samplesPerPixel: spp, bitsAllocated: 8, bitsStored: 8,
            photometricInterpretation: spp == 3 ? (data[0] & 4 == 0 ? "YBR_FULL_422" : "RGB") : "MONOCHROME2")
        run(turbo, frame, d, data[0] & 8 == 0 ? .jpegBaseline : .jpegExtended)
    case 1:
        guard let h = try? J2KHeader.parse(frame, codec: "fuzz"), let prec = h.precisions.max(), prec <= 16 else { return 0 }
        let spp = h.precisions.count
        let d = PixelDescription(
            rows: h.rows, columns: h.columns, samplesPerPixel: spp, bitsAllocated: prec <= 8 ? 8 : 16, bitsStored: prec,
            pixelRepresentation: h.signed.first == true ? 1 : 0, photometricInterpretation: spp == 3 ? "YBR_RCT" : "MONOCHROME2")
        run(openjpeg, frame, d, data[0] & 4 == 0 ? .jpeg2000Lossless : .jpeg2000)
    default:
        guard let info = try? CharLSCodec.frameInfo(frame), info.bits >= 2, info.bits <= 16 else { return 0 }
        let d = PixelDescription(
            rows: info.rows, columns: info.columns, samplesPerPixel: info.components, bitsAllocated: info.bits <= 8 ? 8 : 16,
            bitsStored: info.bits, photometricInterpretation: info.components == 3 ? "RGB" : "MONOCHROME2")
        run(charls, frame, d, data[0] & 4 == 0 ? .jpegLSLossless : .jpegLSNearLossless)
    }
    return 0
}

func run(_ codec: PixelCodec, _ frame: [UInt8], _ d: PixelDescription, _ ts: TransferSyntax) {
    // Headers may declare up to 2^32 x 2^32 (J2K); DICOM's Rows/Columns stop at 65535 (US).
    guard d.rows > 0, d.columns > 0, d.rows <= 65535, d.columns <= 65535,
        d.rows * d.columns * d.samplesPerPixel <= maxSamples, codec.canDecode(d, syntax: ts)
    else { return }
    guard let out = try? codec.decode(frame, description: d, syntax: ts) else { return }
    precondition(out.bytes.count == d.frameLength, "\(codec.name) returned \(out.bytes.count) bytes for \(d) (\(d.frameLength) expected)")
    precondition(out.planarConfiguration == 0, "\(codec.name) returned planar \(out.planarConfiguration)")
}
