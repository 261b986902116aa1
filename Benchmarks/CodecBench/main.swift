// codec-bench: CPU time of the pure-Swift RLE codec and JPEG DCT decoder (Benchmarks/codec-bench.sh).
//
//   codec-bench multiframe DIR OUT.dcm REPEAT   native files of DIR (same size) -> one multi-frame file, frames repeated
//   codec-bench rle FILE                        encode + decode every frame of a native file, best of 5
//   codec-bench jpeg FILE                       decode every frame of a .50/.51 file, best of 5
//
// Times are process CPU time (CLOCK_PROCESS_CPUTIME_ID) of the codec calls only; MB = native bytes.
import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation

func cpu() -> Double { var t = timespec(); clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }
func describe(_ ds: DataSet) -> PixelDescription {
    let bits = ds.integer(.bitsAllocated) ?? 8
    return PixelDescription(
        rows: ds.integer(.rows) ?? 0, columns: ds.integer(.columns) ?? 0, samplesPerPixel: ds.integer(.samplesPerPixel) ?? 1,
        bitsAllocated: bits, bitsStored: ds.integer(.bitsStored) ?? bits, pixelRepresentation: ds.integer(.pixelRepresentation) ?? 0,
        photometricInterpretation: ds.string(.photometricInterpretation) ?? "MONOCHROME2", numberOfFrames: ds.integer(.numberOfFrames) ?? 1)
}
func fail(_ s: String) -> Never { FileHandle.standardError.write(Data((s + "\n").utf8)); exit(2) }

let args = CommandLine.arguments
guard args.count >= 3 else { fail("usage: codec-bench multiframe DIR OUT REPEAT | rle FILE | jpeg FILE") }
switch args[1] {
case "multiframe":
    guard args.count == 5, let repeatCount = Int(args[4]) else { fail("multiframe DIR OUT REPEAT") }
    let root = args[2]
    let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).map { root + "/" + $0 }.sorted()
        .filter {
            var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue && !$0.hasSuffix("DICOMDIR")
        }
    var first: DataSet?
    var pixels: [UInt8] = []
    for f in files {
        let r = try Part10Reader.read(path: f)
        if first == nil { first = r.dataSet }
        pixels += r.dataSet[.pixelData]?.bytes ?? []
    }
    guard var ds = first else { fail("no files in \(root)") }
    let frames = files.count * repeatCount
    ds.setString(.numberOfFrames, .IS, String(frames))
    ds.set(DataElement(tag: .pixelData, vr: .OW, bytes: Array([[UInt8]](repeating: pixels, count: repeatCount).joined())))
    try Part10Writer.write(
        Part10Writer.encode(dataSet: ds, fileMeta: Part10Writer.makeFileMeta(for: ds, options: WriteOptions()), options: WriteOptions()), to: args[3])
    print("\(frames) frames -> \(args[3])")
case "rle":
    let r = try Part10Reader.read(path: args[2])
    let d = describe(r.dataSet)
    guard let all = r.dataSet[.pixelData]?.bytes else { fail("\(args[2]) has no native Pixel Data") }
    let frames = (0..<d.numberOfFrames).map { Array(all[($0 * d.frameLength)..<(($0 + 1) * d.frameLength)]) }
    let codec = RLECodec()
    var enc: [[UInt8]] = []
    var bestE = Double.infinity, bestD = Double.infinity
    for _ in 0..<5 {
        let t0 = cpu()
        enc = try frames.map { try codec.encode($0, description: d, syntax: .rleLossless, parameters: EncodeParameters()).bytes }
        let t1 = cpu()
        let dec = try enc.map { try codec.decode($0, description: d, syntax: .rleLossless).bytes }
        let t2 = cpu()
        precondition(dec == frames, "RLE round trip differs")
        bestE = min(bestE, t1 - t0); bestD = min(bestD, t2 - t1)
    }
    let mb = Double(frames.count * d.frameLength) / 1e6
    let ratio = mb / (Double(enc.map(\.count).reduce(0, +)) / 1e6)
    print(
        String(
            format: "ours RLE: %d frames %@, %.1f MB, ratio %.2f: encode %.3f s CPU (%.0f MB/s), decode %.3f s CPU (%.0f MB/s)",
            frames.count, d.description, mb, ratio, bestE, mb / bestE, bestD, mb / bestD))
case "jpeg":
    let r = try Part10Reader.read(path: args[2])
    let d = describe(r.dataSet)
    guard let px = r.dataSet[.pixelData]?.fragments else { fail("\(args[2]) is not encapsulated") }
    let frames = try Encapsulation.frames(px, numberOfFrames: d.numberOfFrames, syntax: r.transferSyntax)
    let codec = JPEGExtendedCodec()
    var best = Double.infinity
    for _ in 0..<5 {
        let t0 = cpu()
        for f in frames { _ = try codec.decode(f, description: d, syntax: r.transferSyntax) }
        best = min(best, cpu() - t0)
    }
    let mb = Double(frames.count * d.frameLength) / 1e6
    print(String(format: "ours JPEG DCT: %d frames %@, %.1f MB native: decode %.3f s CPU (%.0f MB/s)", frames.count, d.description, mb, best, mb / best))
default:
    fail("unknown mode \(args[1])")
}
