// Codec timing harness (not a test): adapter-bench CODEC DIR [REPEAT] [--write-j2k OUTDIR]
//
// Reads every Part 10 file with native Pixel Data under DIR, then times, on one thread and with
// no file I/O inside the timed region, encoding every frame with CODEC (j2k-lossless, j2k,
// jpeg-ls-lossless, jpeg-baseline) and decoding the results, REPEAT times (default 3, best kept).
// Prints MB/s of native pixel bytes. With --write-j2k, also writes each encoded frame to OUTDIR
// (codestreams: .j2k / .jls / .jpg) and each native frame as OUTDIR/NAME.rawl, so the library's
// own command-line tools can be timed on the same data (Benchmarks: opj_compress/opj_decompress).
import DICOMCodecs
import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation

let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write(
        "usage: adapter-bench j2k-lossless|j2k|jpeg-ls-lossless|jpeg-baseline DIR [REPEAT] [--write-j2k OUTDIR]\n".data(using: .utf8)!)
    exit(2)
}
let (codec, syntax, ext): (PixelCodec, TransferSyntax, String) = {
    switch args[1] {
    case "j2k-lossless": return (OpenJPEGCodec(), .jpeg2000Lossless, "j2k")
    case "j2k": return (OpenJPEGCodec(), .jpeg2000, "j2k")
    case "jpeg-ls-lossless": return (CharLSCodec(), .jpegLSLossless, "jls")
    case "jpeg-baseline": return (TurboJPEGCodec(), .jpegBaseline, "jpg")
    default: FileHandle.standardError.write("unknown codec \(args[1])\n".data(using: .utf8)!); exit(2)
    }
}()
let repeatCount = args.count > 3 ? Int(args[3]) ?? 3 : 3
let outDir = args.firstIndex(of: "--write-j2k").flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }

var frames: [([UInt8], PixelDescription, String)] = []
let fm = FileManager.default
let root = URL(fileURLWithPath: args[2])
for case let url as URL in fm.enumerator(at: root, includingPropertiesForKeys: nil)! where !url.hasDirectoryPath {
    guard let f = try? Part10Reader.read(path: url.path), let px = f.dataSet[.pixelData]?.bytes else { continue }
    let ds = f.dataSet
    let d = PixelDescription(
        rows: ds.integer(.rows) ?? 0, columns: ds.integer(.columns) ?? 0, samplesPerPixel: ds.integer(.samplesPerPixel) ?? 1,
        bitsAllocated: ds.integer(.bitsAllocated) ?? 16, bitsStored: ds.integer(.bitsStored) ?? 16,
        pixelRepresentation: ds.integer(.pixelRepresentation) ?? 0,
        photometricInterpretation: ds.string(.photometricInterpretation) ?? "MONOCHROME2",
        numberOfFrames: ds.integer(.numberOfFrames) ?? 1)
    let len = d.frameLength
    for i in 0..<max(1, d.numberOfFrames) where px.count >= (i + 1) * len {
        frames.append((Array(px[i * len..<(i + 1) * len]), d, "\(frames.count)-" + url.deletingPathExtension().lastPathComponent + "-\(i)"))
    }
}
guard !frames.isEmpty else { print("no native frames under \(root.path)"); exit(1) }
let totalBytes = frames.reduce(0) { $0 + $1.0.count }
let mb = Double(totalBytes) / 1_000_000

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
var bestEncode = Double.infinity, bestDecode = Double.infinity
var encoded: [[UInt8]] = []
var compressedBytes = 0
for _ in 0..<repeatCount {
    var enc: [[UInt8]] = []
    enc.reserveCapacity(frames.count)
    let t0 = now()
    for (f, d, _) in frames { enc.append(try codec.encode(f, description: d, syntax: syntax, parameters: EncodeParameters()).bytes) }
    let t1 = now()
    for (i, e) in enc.enumerated() {
        var d = frames[i].1
        if d.samplesPerPixel == 3 { d.photometricInterpretation = "YBR_RCT" }
        _ = try codec.decode(e, description: d, syntax: syntax)
    }
    let t2 = now()
    bestEncode = min(bestEncode, t1 - t0); bestDecode = min(bestDecode, t2 - t1)
    encoded = enc
    compressedBytes = enc.reduce(0) { $0 + $1.count }
}
print(
    String(
        format: "%@ %d frames, %.1f MB native, ratio %.2f:1, encode %.3f s = %.1f MB/s, decode %.3f s = %.1f MB/s (1 thread, best of %d)",
        args[1], frames.count, mb, Double(totalBytes) / Double(compressedBytes), bestEncode, mb / bestEncode, bestDecode, mb / bestDecode, repeatCount))
if let out = outDir {
    try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
    for (i, e) in encoded.enumerated() {
        try Data(e).write(to: URL(fileURLWithPath: "\(out)/\(frames[i].2).\(ext)"))
        try Data(frames[i].0).write(to: URL(fileURLWithPath: "\(out)/\(frames[i].2).rawl"))
    }
}
