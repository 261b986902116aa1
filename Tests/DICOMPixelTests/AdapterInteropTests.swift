import DICOMCodecs
import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation
import XCTest

/// Our encodings, written as Part 10 files, decoded by the peers: DCMTK (dcmdjpls, dcmdjpeg),
/// GDCM (gdcmconv --raw) and OpenJPEG's opj_decompress; lossless ones must give back our input exactly.
final class AdapterInteropTests: XCTestCase {
    let turbo = TurboJPEGCodec(), openjpeg = OpenJPEGCodec(), charls = CharLSCodec()

    /// Test images: 16-bit signed CT-like, 12-bit unsigned odd size, 8-bit RGB odd size, 8-bit mono.
    var images: [PixelDescription] {
        [
            PixelDescription(rows: 64, columns: 80, bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1),
            PixelDescription(rows: 37, columns: 45, bitsAllocated: 16, bitsStored: 12),
            PixelDescription(rows: 33, columns: 51, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, photometricInterpretation: "RGB"),
            PixelDescription(rows: 40, columns: 40, bitsAllocated: 8, bitsStored: 8),
        ]
    }

    func testJPEGLSLosslessDecodesIdenticallyInDCMTKAndGDCM() throws {
        try checkPeers(codec: charls, syntax: .jpegLSLossless, tools: [("dcmdjpls", ["+px"]), ("gdcmconv", ["--raw"])])
    }

    func testJPEG2000LosslessDecodesIdenticallyInGDCMAndOpenJPEGTool() throws {
        try checkPeers(codec: openjpeg, syntax: .jpeg2000Lossless, tools: [("gdcmconv", ["--raw"])])
        // opj_decompress on the bare codestream (.j2k), planar little-endian raw output (.rawl).
        let dir = try adapterTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (i, d) in images.enumerated() {
            let frame = syntheticFrame(d, seed: UInt64(40 + i))
            let enc = try openjpeg.encode(frame, description: d, syntax: .jpeg2000Lossless, parameters: EncodeParameters())
            let j2k = dir.appendingPathComponent("\(i).j2k"), raw = dir.appendingPathComponent("\(i).rawl")
            try Data(enc.bytes).write(to: j2k)
            try runTool("opj_decompress", ["-i", j2k.path, "-o", raw.path])
            let planar = [UInt8](try Data(contentsOf: raw))
            // .rawl holds each component as a plane of 8- or 16-bit little-endian samples.
            let n = d.rows * d.columns, bps = d.bytesPerSample
            XCTAssertEqual(planar.count, n * d.samplesPerPixel * bps, "opj_decompress output size for \(d)")
            guard planar.count == n * d.samplesPerPixel * bps else { continue }
            var interleaved = [UInt8](repeating: 0, count: planar.count)
            for c in 0..<d.samplesPerPixel {
                for p in 0..<n {
                    for b in 0..<bps { interleaved[(p * d.samplesPerPixel + c) * bps + b] = planar[(c * n + p) * bps + b] }
                }
            }
            XCTAssertTrue(sampleValues(interleaved, d) == sampleValues(frame, d), "opj_decompress differs for \(d)")
        }
    }

    func testJPEGBaselineEncodingsDecodeInDCMTKAndGDCM() throws {
        let dir = try adapterTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (file, d) = try corpusLoad("pydicom-data-1.0.0/data/US1_UNCR.dcm")
        let frame = nativeFrameBytes(file.dataSet, d)[0]
        for codec in [turbo, TurboJPEGCodec(subsampleChroma: true)] {
            let enc = try codec.encode(frame, description: d, syntax: .jpegBaseline, parameters: EncodeParameters())
            let path = try writePart10(enc, d, syntax: .jpegBaseline, dir: dir, name: "us1-\(enc.photometricInterpretation)")
            for (tool, args) in [("dcmdjpeg", ["+px"]), ("gdcmconv", ["--raw"])] {
                let out = dir.appendingPathComponent("\(tool)-\(enc.photometricInterpretation).dcm").path
                try runTool(tool, args + [path, out])
                let (f2, d2) = try loadPath(out)
                // dcmdjpeg converts to RGB; gdcmconv --raw keeps the YCbCr samples and labels them YBR_FULL.
                var theirs = nativeFrameBytes(f2.dataSet, d2)[0]
                switch d2.photometricInterpretation {
                case "RGB": break
                case "YBR_FULL": theirs = ybrFullToRGB(theirs)
                default: XCTFail("\(tool) output labelled \(d2.photometricInterpretation)")
                }
                let (maxErr, psnr) = sampleError(sampleValues(theirs, d2), sampleValues(frame, d), bits: 8)
                print("JPEG baseline \(enc.photometricInterpretation) decoded by \(tool): PSNR \(String(format: "%.2f", psnr)) dB, max error \(maxErr)")
                XCTAssertGreaterThanOrEqual(psnr, codec.subsampleChroma ? 34 : 40, "\(tool) \(enc.photometricInterpretation)")
            }
        }
    }

    // MARK: helpers

    func checkPeers(codec: PixelCodec, syntax: TransferSyntax, tools: [(String, [String])]) throws {
        let dir = try adapterTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (i, d) in images.enumerated() {
            let frame = syntheticFrame(d, seed: UInt64(10 + i))
            let enc = try codec.encode(frame, description: d, syntax: syntax, parameters: EncodeParameters())
            let path = try writePart10(enc, d, syntax: syntax, dir: dir, name: "in\(i)")
            for (tool, args) in tools {
                let out = dir.appendingPathComponent("\(tool)-\(i).dcm").path
                try runTool(tool, args + [path, out])
                let (f2, d2) = try loadPath(out)
                XCTAssertEqual(f2.transferSyntax.isEncapsulated, false, tool)
                XCTAssertEqual(d2.planarConfiguration, 0, "\(tool) \(d)")
                let theirs = nativeFrameBytes(f2.dataSet, d2).first ?? []
                XCTAssertTrue(sampleValues(theirs, d2) == sampleValues(frame, d), "\(tool) decodes our \(syntax.name) of \(d) differently")
            }
        }
    }

    /// A minimal Secondary Capture Part 10 file holding one encoded frame.
    func writePart10(_ enc: EncodedFrame, _ d: PixelDescription, syntax: TransferSyntax, dir: URL, name: String) throws -> String {
        var coded = d  // one frame, as the encoder labelled it
        coded.photometricInterpretation = enc.photometricInterpretation
        coded.planarConfiguration = enc.planarConfiguration
        coded.highBit = d.bitsStored - 1
        coded.numberOfFrames = 1
        var ds = secondaryCapture(
            coded, pixelData: DataElement(tag: .pixelData, vr: .OB, value: .fragments(Encapsulation.encapsulate([enc.bytes]))), patient: "Adapter")
        if syntax.isLossy { ds.setString(.lossyImageCompression, .CS, "01") }
        let bytes = try Part10Writer.encode(dataSet: ds, options: WriteOptions(transferSyntax: syntax))
        let path = dir.appendingPathComponent("\(name).dcm").path
        try Part10Writer.write(bytes, to: path)
        return path
    }
}
