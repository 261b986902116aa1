import DICOMCore
import DICOMIO
import DICOMPixel
import Foundation
import XCTest
import TestSupport

final class JPEGDCTTests: XCTestCase {
    let codec = JPEGExtendedCodec()

    struct Diff { var max = 0; var mean = 0.0; var count = 0 }

    /// Sample-wise difference of two native buffers of the same layout.
    static func diff(_ a: [UInt8], _ b: [UInt8], bytesPerSample: Int) -> Diff {
        var d = Diff()
        guard a.count == b.count else { d.max = Int.max; return d }
        var sum = 0
        var i = 0
        while i + bytesPerSample <= a.count {
            let x = bytesPerSample == 1 ? Int(a[i]) : Int(Int16(bitPattern: UInt16(a[i]) | UInt16(a[i + 1]) << 8))
            let y = bytesPerSample == 1 ? Int(b[i]) : Int(Int16(bitPattern: UInt16(b[i]) | UInt16(b[i + 1]) << 8))
            let e = abs(x - y)
            d.max = max(d.max, e); sum += e; d.count += 1
            i += bytesPerSample
        }
        d.mean = d.count > 0 ? Double(sum) / Double(d.count) : 0
        return d
    }

    /// Decodes `rel` with us and with DCMTK's dcmdjpeg; returns the difference and both photometric interpretations.
    func compareWithDcmdjpeg(_ rel: String, in tmp: URL) throws -> (Diff, ours: String, dcmtk: String) {
        let src = try CodecCorpus.path(rel)
        var out = tmp.appendingPathComponent(UUID().uuidString + ".dcm").path
        if let ref = Self.dcmdjpegReference[rel] { out = try CodecCorpus.path(ref) } else { try runTool("dcmdjpeg", [src, out]) }
        let want = try nativePixels(out)
        let got = try decodeAll(src, with: codec)
        let f = try Part10Reader.read(path: out)
        return (
            Self.diff(normalised(got.bytes, got.description), normalised(want.bytes, want.description), bytesPerSample: got.description.bytesPerSample),
            got.photometric, f.dataSet.string(.photometricInterpretation) ?? ""
        )
    }

    /// Files DCMTK cannot parse, with the dcmdjpeg output shipped beside them (manifest notes).
    static let dcmdjpegReference = ["pydicom-3.0.2/test_files/SC_rgb_jpeg.dcm": "pydicom-3.0.2/test_files/SC_rgb_jpeg_dcmd.dcm"]

    static let twelveBit = [
        "cornerstone3D/testImages/CTImage.dcm_JPEGProcess2_4TransferSyntax_1.2.840.10008.1.2.4.51.dcm",
        "pydicom-3.0.2/test_files/JPGExtended.dcm",
    ]

    func testTwelveBitCorpusMatchesDcmdjpeg() throws {
        let tmp = try codecTempDir()
        defer { try? FileManager.default.removeItem(at: tmp) }
        for rel in Self.twelveBit {
            let f = try Part10Reader.read(path: CodecCorpus.path(rel))
            XCTAssertTrue(codec.canDecode(pixelDescription(f.dataSet), syntax: f.transferSyntax), rel)
            let (d, ours, dcmtk) = try compareWithDcmdjpeg(rel, in: tmp)
            print("12-bit vs dcmdjpeg: \(rel): max |diff| \(d.max), mean \(String(format: "%.5f", d.mean)) over \(d.count) samples")
            XCTAssertLessThanOrEqual(d.max, 1, rel)
            XCTAssertLessThanOrEqual(d.mean, 0.05, rel)
            XCTAssertEqual(ours, dcmtk, rel)
        }
    }

    /// The lossy 12-bit CT stays close to the lossless original it was made from (manifest: same CT via dcmcjpeg
    /// --encode-extended, which rescaled the signed 16-bit values into 12 bits and recorded a new Rescale Slope/Intercept),
    /// compared in modality units (PS3.3 C.11.1.1.2).
    func testTwelveBitCTIsCloseToOriginalInModalityUnits() throws {
        func rescale(_ path: String) throws -> (Double, Double) {
            let ds = try Part10Reader.read(path: path, options: ReadOptions(stopBeforePixelData: true)).dataSet
            return (Double(ds.string(.rescaleSlope) ?? "1") ?? 1, Double(ds.string(.rescaleIntercept) ?? "0") ?? 0)
        }
        let lossyPath = try CodecCorpus.path(Self.twelveBit[0]), refPath = try CodecCorpus.path("cornerstone3D/testImages/CTImage.dcm")
        let got = try decodeAll(lossyPath, with: codec)
        let want = try nativePixels(refPath)
        let (m1, b1) = try rescale(lossyPath), (m0, b0) = try rescale(refPath)
        XCTAssertEqual(got.bytes.count, want.bytes.count)
        var maxErr = 0.0, sum = 0.0
        let n = min(got.bytes.count, want.bytes.count) / 2
        for i in 0..<n {
            let a = Double(UInt16(got.bytes[2 * i]) | UInt16(got.bytes[2 * i + 1]) << 8) * m1 + b1
            let b = Double(Int16(bitPattern: UInt16(want.bytes[2 * i]) | UInt16(want.bytes[2 * i + 1]) << 8)) * m0 + b0
            maxErr = max(maxErr, abs(a - b)); sum += abs(a - b)
        }
        let mean = sum / Double(max(n, 1))
        print("12-bit CT vs lossless original in modality units: max |diff| \(String(format: "%.1f", maxErr)), mean \(String(format: "%.3f", mean))")
        XCTAssertLessThan(mean, 5)
        XCTAssertLessThan(maxErr, 60)
    }

    /// Every 8-bit JPEG Baseline / Extended file in the corpus decodes within ±1 of DCMTK (IJG 6b, islow).
    func testEightBitCorpusMatchesDcmdjpeg() throws {
        let tmp = try codecTempDir()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let files = try CodecCorpus.files(content: "JPEG Baseline") + CodecCorpus.files(content: "JPEG Extended")
        XCTAssertGreaterThanOrEqual(files.count, 20)
        var checked = 0
        for rel in files where !Self.twelveBit.contains(rel) {
            let (d, ours, dcmtk) = try compareWithDcmdjpeg(rel, in: tmp)
            print("8-bit vs dcmdjpeg: \(rel): max |diff| \(d.max), mean \(String(format: "%.5f", d.mean)), \(ours) / \(dcmtk)")
            XCTAssertLessThanOrEqual(d.max, 1, rel)
            XCTAssertEqual(ours, dcmtk, rel)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 18)
    }

    // MARK: Refusals and errors

    func testOtherProcessesAreRefused() throws {
        for (rel, code) in [
            ("cornerstone3D/testImages/CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm", PixelError.Code.unsupportedCoding),
            ("cornerstone3D/testImages/CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm", .unsupportedCoding),
            ("cornerstone3D/testImages/CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm", .unsupportedCoding),
        ] {
            let f = try Part10Reader.read(path: CodecCorpus.path(rel))
            let frames = try Encapsulation.frames(f.dataSet[.pixelData]!.fragments!, numberOfFrames: 1, syntax: f.transferSyntax)
            XCTAssertThrowsError(try codec.decode(frames[0], description: pixelDescription(f.dataSet), syntax: .jpegExtended)) { e in
                XCTAssertEqual(pixelCode(e), code, "\(rel): \(e)")
            }
        }
    }

    func testMalformedStreamsAreErrors() throws {
        let rel = Self.twelveBit[1]
        let f = try Part10Reader.read(path: CodecCorpus.path(rel))
        let d = pixelDescription(f.dataSet)
        let frame = try Encapsulation.frames(f.dataSet[.pixelData]!.fragments!, numberOfFrames: 1, syntax: f.transferSyntax)[0]
        XCTAssertNoThrow(try codec.decode(frame, description: d, syntax: .jpegExtended))
        // Truncated in the middle of the scan: an error, never zero-filled pixels.
        XCTAssertThrowsError(try codec.decode(Array(frame[0..<(frame.count * 2 / 3)]), description: d, syntax: .jpegExtended)) { e in
            XCTAssertEqual(pixelCode(e), .malformedFrame, "\(e)")
        }
        // Not JPEG at all.
        XCTAssertThrowsError(try codec.decode([0, 1, 2, 3, 4], description: d, syntax: .jpegExtended)) { e in
            XCTAssertEqual(pixelCode(e), .malformedFrame, "\(e)")
        }
        // Dimensions that disagree with the data set.
        var wrong = d
        wrong.rows += 1
        XCTAssertThrowsError(try codec.decode(frame, description: wrong, syntax: .jpegExtended)) { e in
            XCTAssertEqual(pixelCode(e), .frameMismatch, "\(e)")
        }
        // Every prefix and many single-byte corruptions are handled without trapping.
        for cut in stride(from: 0, to: frame.count, by: 211) { _ = try? codec.decode(Array(frame[0..<cut]), description: d, syntax: .jpegExtended) }
        var rng = SplitMix(seed: 7)
        for _ in 0..<120 {
            var g = frame
            let i = Int.random(in: 2..<min(g.count, 700), using: &rng)
            g[i] = UInt8.random(in: 0...255, using: &rng)
            _ = try? codec.decode(g, description: d, syntax: .jpegExtended)
        }
    }

    func testCanDecodeClaimsOnlyTwelveBitExtended() {
        let d12 = PixelDescription(rows: 8, columns: 8, bitsAllocated: 16, bitsStored: 12)
        let d8 = PixelDescription(rows: 8, columns: 8, bitsAllocated: 8, bitsStored: 8)
        XCTAssertTrue(codec.canDecode(d12, syntax: .jpegExtended))
        XCTAssertFalse(codec.canDecode(d8, syntax: .jpegExtended))
        XCTAssertFalse(codec.canDecode(d8, syntax: .jpegBaseline))
        XCTAssertFalse(codec.canEncode(d8, syntax: .jpegBaseline))
    }
}

/// Streams made by libjpeg-turbo's cjpeg (restart intervals, multiple non-interleaved scans, 4:2:0, 4:2:2,
/// odd sizes) decode exactly as its djpeg does with the same accurate integer IDCT.
final class JPEGDCTLibjpegTests: XCTestCase {
    let codec = JPEGExtendedCodec()

    /// Parses a binary PGM/PPM from djpeg.
    static func pnm(_ b: [UInt8]) throws -> (w: Int, h: Int, channels: Int, pixels: [UInt8]) {
        var fields: [String] = []
        var i = 0
        while fields.count < 4 && i < b.count {
            while i < b.count && (b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09) { i += 1 }
            var s = ""
            while i < b.count && !(b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09) { s.append(Character(UnicodeScalar(b[i]))); i += 1 }
            fields.append(s)
        }
        i += 1
        guard fields.count == 4, let w = Int(fields[1]), let h = Int(fields[2]) else { throw SupportError("test", "bad PNM header \(fields)") }
        let ch = fields[0] == "P6" ? 3 : 1
        return (w, h, ch, Array(b[i..<min(b.count, i + w * h * ch)]))
    }

    func testCjpegVariantsMatchDjpeg() throws {
        let tmp = try codecTempDir()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let w = 75, h = 53
        var rng = SplitMix(seed: 42)
        var ppm = Array("P6\n\(w) \(h)\n255\n".utf8)
        for y in 0..<h {
            for x in 0..<w {
                ppm.append(UInt8(truncatingIfNeeded: x * 3 + Int.random(in: 0...20, using: &rng)))
                ppm.append(UInt8(truncatingIfNeeded: y * 4 + (x / 9) * 20))
                ppm.append(UInt8(truncatingIfNeeded: (x ^ y) * 5))
            }
        }
        let input = tmp.appendingPathComponent("in.ppm")
        try Data(ppm).write(to: input)
        let scans = tmp.appendingPathComponent("scans.txt")
        try "0;\n1;\n2;\n".write(to: scans, atomically: true, encoding: .utf8)
        let gscans = tmp.appendingPathComponent("gscans.txt")
        try "0;\n".write(to: gscans, atomically: true, encoding: .utf8)
        let variants: [[String]] = [
            ["-sample", "2x2", "-restart", "1B"],
            ["-sample", "2x2", "-restart", "1", "-quality", "50"],
            ["-sample", "2x1", "-restart", "3B"],
            ["-sample", "1x1", "-scan", scans.path],
            ["-sample", "2x2", "-scan", scans.path, "-restart", "2B"],
            ["-sample", "2x1", "-optimize", "-quality", "97"],
            ["-grayscale", "-restart", "1B"],
            ["-grayscale", "-quality", "30", "-scan", gscans.path],
            ["-rgb", "-quality", "85"],  // Adobe APP14 transform 0: no colour conversion even though the PI says YBR_FULL
        ]
        for (i, v) in variants.enumerated() {
            let jpg = tmp.appendingPathComponent("v\(i).jpg").path
            try runTool("cjpeg", v + ["-dct", "int", "-outfile", jpg, input.path])
            let pnmPath = tmp.appendingPathComponent("v\(i).pnm").path
            try runTool("djpeg", ["-dct", "int", "-pnm", "-outfile", pnmPath, jpg])
            let want = try Self.pnm(Array(try Data(contentsOf: URL(fileURLWithPath: pnmPath))))
            let gray = v.contains("-grayscale")
            let d = PixelDescription(
                rows: h, columns: w, samplesPerPixel: gray ? 1 : 3, bitsAllocated: 8, bitsStored: 8,
                photometricInterpretation: gray ? "MONOCHROME2" : "YBR_FULL")
            let got = try codec.decode(Array(try Data(contentsOf: URL(fileURLWithPath: jpg))), description: d, syntax: .jpegBaseline)
            XCTAssertEqual(got.photometricInterpretation, gray ? "MONOCHROME2" : "RGB")
            let diff = JPEGDCTTests.diff(got.bytes, want.pixels, bytesPerSample: 1)
            print("cjpeg \(v.joined(separator: " ")) vs djpeg: max |diff| \(diff.max), mean \(String(format: "%.5f", diff.mean))")
            XCTAssertLessThanOrEqual(diff.max, 1, "\(v)")
            XCTAssertEqual(diff.count, w * h * (gray ? 1 : 3))
        }
    }

    func testWrongRestartMarkerIsAnError() throws {
        let tmp = try codecTempDir()
        defer { try? FileManager.default.removeItem(at: tmp) }
        var pgm = Array("P5\n32 16\n255\n".utf8)
        for i in 0..<(32 * 16) { pgm.append(UInt8(truncatingIfNeeded: i * 7)) }
        let input = tmp.appendingPathComponent("in.pgm")
        try Data(pgm).write(to: input)
        let jpg = tmp.appendingPathComponent("r.jpg").path
        try runTool("cjpeg", ["-restart", "1B", "-outfile", jpg, input.path])
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: jpg)))
        let d = PixelDescription(rows: 16, columns: 32, bitsAllocated: 8, bitsStored: 8)
        XCTAssertNoThrow(try codec.decode(bytes, description: d, syntax: .jpegBaseline))
        // Turn the first RST0 into RST5.
        let sos = (0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA }!
        let rst = ((sos + 2)..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xD0 }!
        bytes[rst + 1] = 0xD5
        XCTAssertThrowsError(try codec.decode(bytes, description: d, syntax: .jpegBaseline)) { e in
            XCTAssertEqual(pixelCode(e), .malformedFrame, "\(e)")
        }
    }
}
