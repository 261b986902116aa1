// libFuzzer entry point for the whole decode path of the transcoder (built only by
// scripts/fuzz.sh with FUZZ_TARGET=transcode): Part 10 bytes → reader → frames from the
// encapsulated Pixel Data (BOT, EOT or start markers) → every registered decoder (Swift RLE,
// JPEG Lossless and DCT, libjpeg-turbo, OpenJPEG, CharLS) → native Explicit VR LE, re-encoded.
//
// Properties: never traps, hangs or touches memory it should not; a file either transcodes or
// throws a TranscodeError/CodecError. Inputs whose frames would exceed 16 MiB are skipped, since
// the decoders allocate the frame the header describes before reading a byte of it.
import DICOMCodecs
import DICOMCore
import DICOMIO
import DICOMPixel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    Codecs.registerAll()
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let file = try? Part10Reader.read(bytes: bytes, path: "fuzz", options: ReadOptions()) else { return 0 }
    guard let d = NativePixels.description(of: file.dataSet), d.frameLength * d.numberOfFrames <= 16 << 20,
        d.frameLength > 0
    else { return 0 }
    let t = PixelTranscoder()
    if let out = try? t.transcode(dataSet: file.dataSet, fileMeta: file.fileMeta, from: file.transferSyntax, to: .explicitVRLittleEndian) {
        _ = try? Part10Writer.encode(dataSet: out.dataSet, fileMeta: out.fileMeta, options: WriteOptions(transferSyntax: out.transferSyntax))
    }
    return 0
}
