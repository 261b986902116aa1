import DICOMCore
import DICOMIO
@testable import DICOMPixel
import Foundation
import XCTest

/// JPEG Lossless (ISO 10918-1 Process 14) decoder and SV1 encoder: corpus oracles, round trips,
/// codestream features (predictors, point transform, restarts, non-interleaved scans), malformed input.
final class JPEGLosslessTests: XCTestCase {
    let codec = JPEGLosslessCodec()

    // MARK: corpus oracles

    /// Lossless variants whose manifest notes name their uncompressed reference.
    func testCorpusFilesDecodeToTheirReferences() throws {
        let pairs = [
            ("wg04-via-dicom-test-files/JPLL/CT2_JPLL", "wg04-via-dicom-test-files/REF/CT2_UNC"),
            ("wg04-via-dicom-test-files/JPLL/MR4_JPLL", "wg04-via-dicom-test-files/REF/MR4_UNC"),
            ("wg04-via-dicom-test-files/JPLL/NM1_JPLL", "wg04-via-dicom-test-files/REF/NM1_UNC"),
            ("pydicom-data-1.0.0/data/JPEG-LL.dcm", "wg04-via-dicom-test-files/REF/NM1_UNC"),
            ("cornerstone3D/testImages/CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm", "cornerstone3D/testImages/CTImage.dcm"),
            ("cornerstone3D/testImages/CTImage.dcm_JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57.dcm", "cornerstone3D/testImages/CTImage.dcm"),
        ]
        for (jpeg, ref) in pairs {
            let (d, decoded) = try JPLL.decodeFile(JPLL.corpus.appendingPathComponent(jpeg).path)
            let (rd, native) = try JPLL.nativePixels(JPLL.corpus.appendingPathComponent(ref).path)
            XCTAssertEqual(d.rows, rd.rows, jpeg)
            XCTAssertEqual(decoded.count, native.count, jpeg)
            XCTAssertTrue(decoded == native, "\(jpeg) differs from \(ref)")
        }
    }

    /// Every JPEG Lossless file of the corpus decodes to what DCMTK's dcmdjpeg makes of it.
    func testEveryCorpusJPEGLosslessFileMatchesDCMTK() throws {
        let files = try JPLL.manifest().filter { $0.content.hasPrefix("JPEG Lossless") }
        XCTAssertGreaterThanOrEqual(files.count, 10)
        let dir = try JPLL.tempDir("jpll-dcmdjpeg")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (i, f) in files.enumerated() {
            let path = try JPLL.corpus.appendingPathComponent(f.path).path
            let (d, ours) = try JPLL.decodeFile(path)
            let out = dir.appendingPathComponent("\(i).dcm").path
            let r = try JPLL.run("dcmdjpeg", [path, out])
            XCTAssertEqual(r.status, 0, "dcmdjpeg \(f.path): \(r.output)")
            let (_, theirs) = try JPLL.nativePixels(out)
            XCTAssertEqual(ours.count, theirs.count, f.path)
            XCTAssertTrue(JPLL.normalise(ours, d) == JPLL.normalise(theirs, d), "\(f.path) decodes differently from dcmdjpeg")
        }
    }

    /// DCMTK-encoded .57 streams with every predictor 1-7 and a point transform decode to the input.
    func testDCMTKPredictorsAndPointTransform() throws {
        let dir = try JPLL.tempDir("jpll-dcmcjpeg")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(PixelDescription, [UInt8])] = [
            (
                PixelDescription(rows: 37, columns: 41, bitsAllocated: 16, bitsStored: 16),
                JPLL.synthetic(width: 41, height: 37, components: 1, bitsAllocated: 16, bitsStored: 16, signed: false)
            ),
            (
                PixelDescription(rows: 20, columns: 33, bitsAllocated: 16, bitsStored: 12),
                JPLL.synthetic(width: 33, height: 20, components: 1, bitsAllocated: 16, bitsStored: 12, signed: false, seed: 5)
            ),
            (
                PixelDescription(rows: 19, columns: 23, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, photometricInterpretation: "RGB"),
                JPLL.synthetic(width: 23, height: 19, components: 3, bitsAllocated: 8, bitsStored: 8, signed: false, seed: 9)
            ),
        ]
        for (k, (d, pixels)) in cases.enumerated() {
            let input = dir.appendingPathComponent("in\(k).dcm").path
            try Part10Writer.write(try JPLL.part10(d, pixelData: .bytes(pixels), syntax: .explicitVRLittleEndian), to: input)
            for (sv, pt) in [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (1, 3), (7, 2)] {
                let out = dir.appendingPathComponent("out\(k)-\(sv)-\(pt).dcm").path
                let r = try JPLL.run("dcmcjpeg", ["+el", "+sv", "\(sv)", "+pt", "\(pt)", input, out])
                XCTAssertEqual(r.status, 0, r.output)
                let (_, decoded) = try JPLL.decodeFile(out)
                var expected = JPLL.normalise(pixels, d)
                if pt > 0 { expected = expected.map { ($0 >> pt) << pt } }
                XCTAssertTrue(JPLL.normalise(decoded, d) == expected, "case \(k) predictor \(sv) Pt \(pt)")
            }
        }
    }

    // MARK: round trips

    func testRoundTripSyntheticImages() throws {
        for (w, h) in [(1, 1), (3, 5), (513, 7)] {
            for bits in [2, 7, 8, 12, 15, 16] {
                for signed in [false, true] {
                    for spp in [1, 3] {
                        let ba = bits <= 8 ? 8 : 16
                        let d = PixelDescription(
                            rows: h, columns: w, samplesPerPixel: spp, bitsAllocated: ba, bitsStored: bits,
                            pixelRepresentation: signed ? 1 : 0, photometricInterpretation: spp == 3 ? "RGB" : "MONOCHROME2")
                        let pixels = JPLL.synthetic(width: w, height: h, components: spp, bitsAllocated: ba, bitsStored: bits, signed: signed)
                        let enc = try codec.encode(pixels, description: d, syntax: .jpegLosslessSV1, parameters: EncodeParameters())
                        XCTAssertEqual(enc.photometricInterpretation, d.photometricInterpretation)
                        XCTAssertEqual(enc.planarConfiguration, 0)
                        let dec = try codec.decode(enc.bytes, description: d, syntax: .jpegLosslessSV1)
                        XCTAssertTrue(dec.bytes == pixels, "\(d)")
                    }
                }
            }
        }
    }

    /// High bits above Bits Stored are ignored on encode (PS3.5 8.1.1).
    func testEncoderMasksToBitsStored() throws {
        let d = PixelDescription(rows: 2, columns: 3, bitsAllocated: 16, bitsStored: 12)
        let dirty: [UInt8] = [0x34, 0xF2, 0xFF, 0xFF, 0x00, 0x10, 0x01, 0xA0, 0xFF, 0x0F, 0x00, 0x00]
        let enc = try codec.encode(dirty, description: d, syntax: .jpegLosslessSV1, parameters: EncodeParameters())
        let dec = try codec.decode(enc.bytes, description: d, syntax: .jpegLosslessSV1)
        XCTAssertEqual(dec.bytes, [0x34, 0x02, 0xFF, 0x0F, 0x00, 0x00, 0x01, 0x00, 0xFF, 0x0F, 0x00, 0x00])
    }

    /// Differences of 32768 are category 16 with no extra bits (ISO 10918-1 H.1.2.2).
    func testCategory16Differences() throws {
        let d = PixelDescription(rows: 3, columns: 4, bitsAllocated: 16, bitsStored: 16)
        let values: [UInt16] = [0, 32768, 0, 32768, 65535, 32767, 65535, 1, 32768, 0, 0, 65535]
        let pixels = values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let enc = try codec.encode(pixels, description: d, syntax: .jpegLosslessSV1, parameters: EncodeParameters())
        let dec = try codec.decode(enc.bytes, description: d, syntax: .jpegLosslessSV1)
        XCTAssertEqual(dec.bytes, pixels)
    }

    /// Restart intervals (whole rows and mid-row) and one scan per component decode to the input (B.2.4.4, A.2).
    func testRestartIntervalsAndNonInterleavedScans() throws {
        for spp in [1, 3] {
            let (w, h) = (13, 9)
            let pixels = JPLL.synthetic(width: w, height: h, components: spp, bitsAllocated: 16, bitsStored: 14, signed: false, seed: 3)
            let d = PixelDescription(
                rows: h, columns: w, samplesPerPixel: spp, bitsAllocated: 16, bitsStored: 14,
                photometricInterpretation: spp == 3 ? "RGB" : "MONOCHROME2")
            for ri in [0, 1, 5, 13, 26, 200] {
                for interleaved in [true, false] {
                    let enc = pixels.withUnsafeBytes {
                        JPEGLosslessEncoder.encode(
                            $0, bytesPerSample: 2, width: w, height: h, components: spp, precision: 14,
                            options: .init(restartInterval: ri, interleaved: interleaved))
                    }
                    if ri > 0 && ri < w * h { XCTAssertTrue(zip(enc, enc.dropFirst()).contains { $0 == 0xFF && $1 == 0xD0 }) }
                    let dec = try codec.decode(enc, description: d, syntax: .jpegLossless)
                    XCTAssertTrue(dec.bytes == pixels, "spp \(spp) restart \(ri) interleaved \(interleaved)")
                }
            }
        }
    }

    /// Two and four components (Process 14 allows up to four in a scan) decode, interleaved or not (B.2.2, B.2.3).
    func testTwoAndFourComponents() throws {
        for spp in [2, 4] {
            let pixels = JPLL.synthetic(width: 11, height: 6, components: spp, bitsAllocated: 16, bitsStored: 10, signed: false, seed: 21)
            let d = PixelDescription(rows: 6, columns: 11, samplesPerPixel: spp, bitsAllocated: 16, bitsStored: 10, photometricInterpretation: "CMYK")
            for interleaved in [true, false] {
                let enc = pixels.withUnsafeBytes {
                    JPEGLosslessEncoder.encode(
                        $0, bytesPerSample: 2, width: 11, height: 6, components: spp, precision: 10,
                        options: .init(restartInterval: 0, interleaved: interleaved))
                }
                XCTAssertEqual(try codec.decode(enc, description: d, syntax: .jpegLossless).bytes, pixels, "spp \(spp) interleaved \(interleaved)")
            }
        }
    }

    /// Tables and restart definitions may come before the frame header and between scans (B.2.1, B.2.4).
    func testTablesBeforeFrameHeader() throws {
        let pixels = JPLL.synthetic(width: 9, height: 5, components: 1, bitsAllocated: 8, bitsStored: 8, signed: false, seed: 4)
        let enc = pixels.withUnsafeBytes {
            JPEGLosslessEncoder.encode($0, bytesPerSample: 1, width: 9, height: 5, components: 1, precision: 8, options: .init(restartInterval: 9))
        }
        let sof = markerOffset(enc, 0xC3), dht = markerOffset(enc, 0xC4), sos = markerOffset(enc, 0xDA)
        // SOI, DHT+DRI (moved first), SOF3, SOS...
        let moved = Array(enc[0..<2]) + Array(enc[dht..<sos]) + Array(enc[sof..<dht]) + Array(enc[sos...])
        let d = PixelDescription(rows: 5, columns: 9, bitsAllocated: 8, bitsStored: 8)
        XCTAssertEqual(try codec.decode(moved, description: d, syntax: .jpegLossless).bytes, pixels)
    }

    /// Code lengths are limited to 16 bits and no code is all ones (ISO 10918-1 K.2, Figure K.3; C.2).
    func testOptimalTableLimitsCodeLengths() throws {
        var fib = [1, 1]
        while fib.count < 17 { fib.append(fib[fib.count - 1] + fib[fib.count - 2]) }
        let spec = JPEGLosslessHuffman.optimalSpec(frequencies: fib)
        XCTAssertEqual(spec.bits.reduce(0, +), 17)
        XCTAssertEqual(Set(spec.values), Set((0...16).map(UInt8.init)))
        var kraft = 0.0
        for l in 1...16 { kraft += Double(spec.bits[l]) / Double(1 << l) }
        XCTAssertLessThan(kraft, 1.0)
        // The unlimited Huffman code for these frequencies would need 17 bits; the limited one decodes.
        XCTAssertNoThrow(try JPEGLosslessHuffman.DecodeTable(spec, index: 0))
        // Only used categories get codes; a one-category image still has a 1-bit code.
        let single = JPEGLosslessHuffman.optimalSpec(frequencies: [5] + [Int](repeating: 0, count: 16))
        XCTAssertEqual(single.values, [0])
        XCTAssertEqual(single.bits[1], 1)
    }

    func testEightBitRGBKeepsPhotometric() throws {
        let d = PixelDescription(rows: 4, columns: 5, samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, photometricInterpretation: "YBR_FULL")
        let pixels = JPLL.synthetic(width: 5, height: 4, components: 3, bitsAllocated: 8, bitsStored: 8, signed: false)
        let enc = try codec.encode(pixels, description: d, syntax: .jpegLosslessSV1, parameters: EncodeParameters())
        XCTAssertEqual(enc.photometricInterpretation, "YBR_FULL")
        let dec = try codec.decode(enc.bytes, description: d, syntax: .jpegLosslessSV1)
        XCTAssertEqual(dec.photometricInterpretation, "YBR_FULL")
        XCTAssertEqual(dec.planarConfiguration, 0)
        XCTAssertEqual(dec.bytes, pixels)
    }

    func testEncoderRefusals() {
        let ok = PixelDescription(rows: 2, columns: 2, bitsAllocated: 16, bitsStored: 16)
        XCTAssertTrue(codec.canEncode(ok, syntax: .jpegLosslessSV1))
        XCTAssertFalse(codec.canEncode(ok, syntax: .jpegLossless))
        var one = ok; one.bitsStored = 1
        XCTAssertFalse(codec.canEncode(one, syntax: .jpegLosslessSV1))
        var four = ok; four.samplesPerPixel = 4
        XCTAssertFalse(codec.canEncode(four, syntax: .jpegLosslessSV1))
        var sub = ok; sub.samplesPerPixel = 3; sub.photometricInterpretation = "YBR_FULL_422"
        XCTAssertFalse(codec.canEncode(sub, syntax: .jpegLosslessSV1))
        XCTAssertThrowsError(try codec.encode([0, 0], description: ok, syntax: .jpegLosslessSV1, parameters: EncodeParameters())) { e in
            XCTAssertEqual(pixelCode(e), .shortPixelData, "\(e)")
        }
    }

    // MARK: codestream features and malformed input

    /// A small 16-bit codestream from our encoder.
    func sample() throws -> (PixelDescription, [UInt8], [UInt8]) {
        let d = PixelDescription(rows: 6, columns: 7, bitsAllocated: 16, bitsStored: 16)
        let pixels = JPLL.synthetic(width: 7, height: 6, components: 1, bitsAllocated: 16, bitsStored: 16, signed: false, seed: 11)
        return (d, pixels, try codec.encode(pixels, description: d, syntax: .jpegLosslessSV1, parameters: EncodeParameters()).bytes)
    }

    /// Offset of the first occurrence of marker FF `m`.
    func markerOffset(_ b: [UInt8], _ m: UInt8) -> Int { (0..<(b.count - 1)).first { b[$0] == 0xFF && b[$0 + 1] == m }! }

    func testSkipsAPPnCOMAndFillBytesAndAcceptsMissingEOI() throws {
        let (d, pixels, stream) = try sample()
        let sof = markerOffset(stream, 0xC3)
        let app: [UInt8] = [0xFF, 0xE0, 0x00, 0x06, 0x4A, 0x46, 0x49, 0x46, 0xFF, 0xFE, 0x00, 0x04, 0x68, 0x69]
        var modified = Array(stream[..<sof]) + app + [0xFF, 0xFF] + Array(stream[sof...])
        let sos = markerOffset(modified, 0xDA)
        modified.insert(contentsOf: [0xFF, 0xFF, 0xFF], at: sos)  // fill bytes before SOS (B.1.1.2)
        XCTAssertEqual(try codec.decode(modified, description: d, syntax: .jpegLossless).bytes, pixels)
        XCTAssertEqual(try codec.decode(Array(modified.dropLast(2)), description: d, syntax: .jpegLossless).bytes, pixels)
    }

    func testTruncatedDataIsAnErrorWithOffset() throws {
        let (d, _, stream) = try sample()
        let sos = markerOffset(stream, 0xDA)
        for cut in [1, 3, sos - 3, sos + 4, sos + 20, stream.count - 12] {
            XCTAssertThrowsError(try codec.decode(Array(stream.prefix(cut)), description: d, syntax: .jpegLossless), "cut \(cut)") { e in
                XCTAssertNotNil((e as? PixelError)?.offset, "\(e)")
            }
        }
        // Entropy data replaced by an early EOI.
        let early = Array(stream.prefix(sos + 14)) + [0xFF, 0xD9]
        XCTAssertThrowsError(try codec.decode(early, description: d, syntax: .jpegLossless)) { e in
            XCTAssertEqual(pixelCode(e), .malformedFrame, "\(e)")
        }
    }

    func testUnsupportedAndInvalidStreamsAreErrors() throws {
        let (d, _, stream) = try sample()
        let sof = markerOffset(stream, 0xC3)
        func expect(_ b: [UInt8], _ code: PixelError.Code, line: UInt = #line) {
            XCTAssertThrowsError(try codec.decode(b, description: d, syntax: .jpegLossless), line: line) { e in
                XCTAssertEqual(pixelCode(e), code, "\(e)", line: line)
            }
        }
        var baseline = stream; baseline[sof + 1] = 0xC0
        expect(baseline, .unsupportedCoding)
        var dnl = stream; dnl[sof + 5] = 0; dnl[sof + 6] = 0
        expect(dnl, .unsupportedCoding)
        var wrongSize = stream; wrongSize[sof + 8] = 8
        expect(wrongSize, .frameMismatch)
        var noSOI = stream; noSOI[1] = 0xD9
        expect(noSOI, .malformedFrame)
        let sos = markerOffset(stream, 0xDA)
        var badTable = stream; badTable[sos + 6] = 0x30
        expect(badTable, .malformedFrame)
        var badPredictor = stream; badPredictor[sos + 7] = 0
        expect(badPredictor, .malformedFrame)
        expect([0xFF, 0xD8, 0xFF, 0xD9], .malformedFrame)
        var twoBytes = d; twoBytes.bitsAllocated = 8
        XCTAssertThrowsError(try codec.decode(stream, description: twoBytes, syntax: .jpegLossless)) { e in
            XCTAssertEqual(pixelCode(e), .frameMismatch, "\(e)")
        }
    }

    func testWrongRestartMarkerIsAnError() throws {
        let pixels = JPLL.synthetic(width: 8, height: 4, components: 1, bitsAllocated: 8, bitsStored: 8, signed: false)
        var enc = pixels.withUnsafeBytes {
            JPEGLosslessEncoder.encode($0, bytesPerSample: 1, width: 8, height: 4, components: 1, precision: 8, options: .init(restartInterval: 8))
        }
        let rst = markerOffset(enc, 0xD0)
        enc[rst + 1] = 0xD3
        let d = PixelDescription(rows: 4, columns: 8, bitsAllocated: 8, bitsStored: 8)
        XCTAssertThrowsError(try codec.decode(enc, description: d, syntax: .jpegLossless)) { e in
            XCTAssertEqual(pixelCode(e), .malformedFrame, "\(e)")
        }
    }

    /// Signed samples come back sign-extended from Bits Stored (PS3.5 8.1.1).
    func testSignedOutputIsSignExtended() throws {
        let d = PixelDescription(rows: 1, columns: 3, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1)
        let pixels: [UInt8] = [0xFF, 0xFF, 0x00, 0xF8, 0xFF, 0x07]  // -1, -2048, 2047
        let enc = try codec.encode(pixels, description: d, syntax: .jpegLosslessSV1, parameters: EncodeParameters())
        XCTAssertEqual(try codec.decode(enc.bytes, description: d, syntax: .jpegLosslessSV1).bytes, pixels)
        var unsigned = d; unsigned.pixelRepresentation = 0
        XCTAssertEqual(try codec.decode(enc.bytes, description: unsigned, syntax: .jpegLosslessSV1).bytes, [0xFF, 0x0F, 0x00, 0x08, 0xFF, 0x07])
    }

    /// Bits Allocated 32 gives four-byte words; 8-bit signed samples sign-extend within the byte (PS3.5 8.1.1).
    func testOtherWordSizes() throws {
        let d16 = PixelDescription(rows: 1, columns: 3, bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1)
        let enc = try codec.encode([0xFF, 0xFF, 0x00, 0xF8, 0xFF, 0x07], description: d16, syntax: .jpegLosslessSV1, parameters: EncodeParameters())
        var d32 = d16; d32.bitsAllocated = 32
        XCTAssertEqual(
            try codec.decode(enc.bytes, description: d32, syntax: .jpegLosslessSV1).bytes,
            [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xF8, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x00])
        let d8 = PixelDescription(rows: 1, columns: 4, bitsAllocated: 8, bitsStored: 6, pixelRepresentation: 1)
        let px: [UInt8] = [0xFF, 0xE0, 0x1F, 0x00]  // -1, -32, 31, 0
        let enc8 = try codec.encode(px, description: d8, syntax: .jpegLosslessSV1, parameters: EncodeParameters())
        XCTAssertEqual(try codec.decode(enc8.bytes, description: d8, syntax: .jpegLosslessSV1).bytes, px)
    }

    /// Random corruption never traps: every result is pixels or a PixelError.
    func testCorruptedStreamsNeverTrap() throws {
        let (d, _, stream) = try sample()
        var state: UInt64 = 0x1234_5678
        for _ in 0..<3000 {
            var b = stream
            for _ in 0..<(1 + Int(state % 4)) {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                b[Int(state % UInt64(b.count))] = UInt8(truncatingIfNeeded: state >> 20)
            }
            do { _ = try codec.decode(b, description: d, syntax: .jpegLossless) } catch is PixelError {} catch { XCTFail("\(error)") }
        }
    }

    /// Seeds and inputs found by the fuzzer (Fuzz/JPEGLossless, Tests/Fixtures/fuzz/jpegll/*.jpg) decode or fail cleanly.
    func testFuzzRegressionInputs() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz/jpegll")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".jpg") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 10)
        for f in files {
            let data = [UInt8](try Data(contentsOf: dir.appendingPathComponent(f)))
            let d = JPLL.fuzzDescription(data)
            do { _ = try codec.decode(data, description: d, syntax: .jpegLossless) } catch is PixelError {} catch { XCTFail("\(f): \(error)") }
        }
    }
}
