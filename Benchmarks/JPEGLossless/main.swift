// Single-thread JPEG Lossless timing harness (Benchmarks/Package.swift, jpegll-bench.sh).
//
//   bench-jpegll codec FILE... [-n N]     encode/decode in memory, N times per frame: MB/s of native pixels
//   bench-jpegll encode-files OUTDIR FILE...   read native file, encode SV1, write Part 10 (like dcmcjpeg +e1)
//   bench-jpegll decode-files OUTDIR FILE...   read .70/.57 file, decode, write Explicit VR LE (like dcmdjpeg)
//
// The file modes do the whole job a peer command does per file (read, code, write) so loops over
// files compare with a loop of dcmcjpeg/dcmdjpeg processes. Prints seconds and MB/s (10^6 bytes of native pixels).
import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation

/// Wall time, or this thread's CPU time with BENCH_CPU=1 (steadier on a loaded machine).
let clock = ProcessInfo.processInfo.environment["BENCH_CPU"] != nil ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC
func now() -> Double { var t = timespec(); clock_gettime(clock, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }

func describe(_ ds: DataSet) -> PixelDescription {
    PixelDescription(
        rows: ds.integer(.rows) ?? 0, columns: ds.integer(.columns) ?? 0,
        samplesPerPixel: ds.integer(.samplesPerPixel) ?? 1, bitsAllocated: ds.integer(.bitsAllocated) ?? 0,
        bitsStored: ds.integer(.bitsStored) ?? 0, pixelRepresentation: ds.integer(.pixelRepresentation) ?? 0,
        photometricInterpretation: ds.string(.photometricInterpretation) ?? "MONOCHROME2",
        numberOfFrames: Int(ds.string(.numberOfFrames) ?? "1") ?? 1)
}

let codec = JPEGLosslessCodec()
var args = Array(CommandLine.arguments.dropFirst())
var iterations = 20
if let i = args.firstIndex(of: "-n"), i + 1 < args.count { iterations = Int(args[i + 1]) ?? 20; args.removeSubrange(i...(i + 1)) }
guard let mode = args.first else { print("usage: bench-jpegll codec|encode-files|decode-files ..."); exit(2) }
args.removeFirst()

do {
    switch mode {
    case "codec":
        var frames: [([UInt8], PixelDescription)] = []
        for path in args {
            let f = try Part10Reader.read(path: path)
            let d = describe(f.dataSet)
            if let px = f.dataSet[.pixelData]?.bytes { frames.append((Array(px.prefix(d.frameLength)), d)) }
        }
        let bytes = Double(frames.reduce(0) { $0 + $1.0.count } * iterations)
        var encoded: [[UInt8]] = []
        var t = now()
        for _ in 0..<iterations {
            encoded = try frames.map { try codec.encode($0.0, description: $0.1, syntax: .jpegLosslessSV1, parameters: EncodeParameters()).bytes }
        }
        let enc = now() - t
        t = now()
        for _ in 0..<iterations {
            for (i, e) in encoded.enumerated() {
                let r = try codec.decode(e, description: frames[i].1, syntax: .jpegLosslessSV1)
                if r.bytes.count != frames[i].0.count { print("size mismatch"); exit(1) }
            }
        }
        let dec = now() - t
        let ratio = Double(frames.reduce(0) { $0 + $1.0.count }) / Double(encoded.reduce(0) { $0 + $1.count })
        print(
            String(
                format: "frames %d x %d: encode %.3f s %.1f MB/s, decode %.3f s %.1f MB/s, ratio %.3f",
                frames.count, iterations, enc, bytes / enc / 1e6, dec, bytes / dec / 1e6, ratio))
    case "encode-files", "decode-files":
        let out = args.removeFirst()
        var total = 0
        let t = now()
        for (index, path) in args.enumerated() {
            var f = try Part10Reader.read(path: path)
            let d = describe(f.dataSet)
            let name = "\(index + 1).dcm"
            if mode == "encode-files" {
                guard let px = f.dataSet[.pixelData]?.bytes else { continue }
                let e = try codec.encode(Array(px.prefix(d.frameLength)), description: d, syntax: .jpegLosslessSV1, parameters: EncodeParameters())
                f.dataSet.set(DataElement(tag: .pixelData, vr: .OB, value: .fragments(Encapsulation.encapsulate([e.bytes]))))
                total += d.frameLength
                try Part10Writer.write(
                    try Part10Writer.encode(
                        dataSet: f.dataSet, fileMeta: f.fileMeta,
                        options: WriteOptions(transferSyntax: .jpegLosslessSV1)), to: "\(out)/\(name)")
            } else {
                guard let px = f.dataSet[.pixelData]?.fragments else { continue }
                let frame = try Encapsulation.frames(px, numberOfFrames: 1, syntax: f.transferSyntax)[0]
                let r = try codec.decode(frame, description: d, syntax: f.transferSyntax)
                f.dataSet.set(DataElement(tag: .pixelData, vr: d.bitsAllocated > 8 ? .OW : .OB, value: .bytes(r.bytes)))
                total += r.bytes.count
                try Part10Writer.write(
                    try Part10Writer.encode(
                        dataSet: f.dataSet, fileMeta: f.fileMeta,
                        options: WriteOptions(transferSyntax: .explicitVRLittleEndian)), to: "\(out)/\(name)")
            }
        }
        let s = now() - t
        print(String(format: "%@ %d files: %.3f s, %.1f MB/s", mode, args.count, s, Double(total) / s / 1e6))
    default:
        print("unknown mode \(mode)"); exit(2)
    }
} catch {
    print("error: \(error)"); exit(1)
}
