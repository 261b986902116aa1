import DICOMCore
import DICOMIO
@testable import DICOMPixel
import Foundation
import TestSupport
import XCTest

/// Shared helpers of the JPEG Lossless tests: corpus access, pixel attributes, external tools, synthetic images.
enum JPLL {
    /// The shared media corpus (TestSupport); the tests skip without it.
    static var corpus: URL { get throws { try Corpus.root } }

    /// manifest.tsv rows: path and content column.
    static func manifest() throws -> [(path: String, content: String, notes: String)] {
        try Corpus.manifest().map { ($0.path, $0.content, $0.notes) }
    }

    struct Failure: Error, CustomStringConvertible { var description: String; init(_ s: String) { description = s } }

    /// Image Pixel Module attributes of a data set (PS3.3 C.7.6.3).
    static func description(_ ds: DataSet) -> PixelDescription {
        PixelDescription(
            rows: ds.integer(.rows) ?? 0, columns: ds.integer(.columns) ?? 0,
            samplesPerPixel: ds.integer(.samplesPerPixel) ?? 1, bitsAllocated: ds.integer(.bitsAllocated) ?? 0,
            bitsStored: ds.integer(.bitsStored) ?? 0, highBit: ds.integer(.highBit),
            pixelRepresentation: ds.integer(.pixelRepresentation) ?? 0,
            planarConfiguration: ds.integer(.planarConfiguration) ?? 0,
            photometricInterpretation: ds.string(.photometricInterpretation) ?? "",
            numberOfFrames: Int(ds.string(.numberOfFrames) ?? "1") ?? 1)
    }

    /// Decodes every frame of an encapsulated JPEG Lossless file with our codec, frames concatenated.
    static func decodeFile(_ path: String) throws -> (PixelDescription, [UInt8]) {
        let file = try Part10Reader.read(path: path)
        let d = description(file.dataSet)
        guard let px = file.dataSet[.pixelData]?.fragments else { throw Failure("\(path): Pixel Data is not encapsulated") }
        let frames = try Encapsulation.frames(px, numberOfFrames: d.numberOfFrames, syntax: file.transferSyntax)
        var out: [UInt8] = []
        for f in frames { out += try JPEGLosslessCodec().decode(f, description: d, syntax: file.transferSyntax).bytes }
        return (d, out)
    }

    /// Native Pixel Data bytes of an uncompressed file, cut to the frames' length (no pad byte).
    static func nativePixels(_ path: String) throws -> (PixelDescription, [UInt8]) {
        let file = try Part10Reader.read(path: path)
        let d = description(file.dataSet)
        guard let bytes = file.dataSet[.pixelData]?.bytes else { throw Failure("\(path): no native Pixel Data") }
        return (d, Array(bytes.prefix(d.frameLength * max(1, d.numberOfFrames))))
    }

    /// Keeps the low `bitsStored` bits of each sample, sign-extended when signed, as the transcoder normalises (PS3.5 8.1.1).
    static func normalise(_ bytes: [UInt8], _ d: PixelDescription) -> [Int] {
        let bps = d.bytesPerSample
        let n = bytes.count / bps
        return (0..<n).map { i in
            var v = 0
            for b in 0..<bps { v |= Int(bytes[i * bps + b]) << (8 * b) }
            v &= (1 << d.bitsStored) - 1
            if d.isSigned && v >= 1 << (d.bitsStored - 1) { v -= 1 << d.bitsStored }
            return v
        }
    }

    /// Runs a tool; returns its exit status and combined output (skips or fails when it is not installed: TestSupport).
    @discardableResult
    static func run(_ name: String, _ args: [String]) throws -> (status: Int32, output: String) { try runProcess(name, args) }

    static func tempDir(_ name: String) throws -> URL { try TestSupport.tempDir(name) }

    /// A Part 10 Secondary Capture file holding `pixelData` (native or fragments) with these attributes.
    static func part10(_ d: PixelDescription, pixelData: Value, syntax: TransferSyntax) throws -> [UInt8] {
        var one = d  // colour-by-pixel, one frame
        one.planarConfiguration = 0
        one.highBit = d.bitsStored - 1
        one.numberOfFrames = 1
        let vr: VR = d.bitsAllocated > 8 && !syntax.isEncapsulated ? .OW : .OB
        let ds = secondaryCapture(one, pixelData: DataElement(tag: .pixelData, vr: vr, value: pixelData), patient: "JPLL")
        return try Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: syntax))
    }

    /// A deterministic test image: smooth ramps, noise, hard edges and extreme values, as native little-endian
    /// words with signed samples sign-extended (PS3.5 8.1.1).
    static func synthetic(
        width: Int, height: Int, components: Int, bitsAllocated: Int, bitsStored: Int,
        signed: Bool, seed: UInt64 = 1
    ) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        let maxV = 1 << bitsStored
        let bps = bitsAllocated / 8
        var out = [UInt8](repeating: 0, count: width * height * components * bps)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<components {
                    var v: Int
                    switch (x / 16 + y / 16 + c) % 4 {
                    case 0: v = (x * 37 + y * 11 + c * 1000) % maxV  // ramp
                    case 1: v = maxV / 2 + (next() % 9) - 4  // noise around mid
                    case 2: v = (x + y) % 2 == 0 ? 0 : maxV - 1  // extremes (SSSS 15/16)
                    default: v = next() % maxV  // white noise
                    }
                    v = ((v % maxV) + maxV) % maxV
                    if signed && v >= maxV / 2 { v -= maxV }  // two's complement value
                    let i = ((y * width + x) * components + c) * bps
                    for b in 0..<bps { out[i + b] = UInt8(truncatingIfNeeded: v >> (8 * b)) }
                }
            }
        }
        return out
    }

    /// The attributes the fuzz target (Fuzz/JPEGLossless/main.swift, same logic) pairs with an input:
    /// taken from the first SOF3 header found, else 8x8 16-bit monochrome.
    static func fuzzDescription(_ data: [UInt8]) -> PixelDescription {
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
}
