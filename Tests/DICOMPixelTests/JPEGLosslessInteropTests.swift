import DICOMCore
import DICOMIO
@testable import DICOMPixel
import Foundation
import XCTest

/// What we encode as JPEG Lossless SV1 decodes to exactly our input in DCMTK (dcmdjpeg), GDCM
/// (gdcmconv --raw) and pydicom with pylibjpeg. The files are left in $TMPDIR/dicom-media-jpegll-interop/
/// for inspection (replaced on every run).
final class JPEGLosslessInteropTests: XCTestCase {
    struct Case {
        var name: String
        var description: PixelDescription
        var pixels: [UInt8]
        var options = JPEGLosslessEncoder.Options()
    }

    func cases() -> [Case] {
        func d(_ w: Int, _ h: Int, _ spp: Int, _ bits: Int, signed: Bool = false) -> PixelDescription {
            PixelDescription(
                rows: h, columns: w, samplesPerPixel: spp, bitsAllocated: bits <= 8 ? 8 : 16, bitsStored: bits,
                pixelRepresentation: signed ? 1 : 0, photometricInterpretation: spp == 3 ? "RGB" : "MONOCHROME2")
        }
        func c(_ name: String, _ desc: PixelDescription, seed: UInt64 = 1, _ options: JPEGLosslessEncoder.Options = .init()) -> Case {
            Case(
                name: name, description: desc,
                pixels: JPLL.synthetic(
                    width: desc.columns, height: desc.rows, components: desc.samplesPerPixel,
                    bitsAllocated: desc.bitsAllocated, bitsStored: desc.bitsStored, signed: desc.isSigned, seed: seed),
                options: options)
        }
        // Differences of exactly 32768 (category 16): a checkerboard of 0 and 32768 with noise.
        var half = [UInt8]()
        for i in 0..<(40 * 30) {
            let v = (i / 40 + i % 40) % 2 == 0 ? 0 : 32768 + (i % 7)
            half += [UInt8(v & 0xFF), UInt8(v >> 8)]
        }
        return [
            c("ct16u_512", d(512, 512, 1, 16)),
            c("mr12s_64x48", d(64, 48, 1, 12, signed: true), seed: 2),
            c("rgb8_33x17", d(33, 17, 3, 8), seed: 3),
            c("b15s_513x7", d(513, 7, 1, 15, signed: true), seed: 4),
            c("b2_3x5", d(3, 5, 1, 2), seed: 5),
            c("b7_1x1", d(1, 1, 1, 7), seed: 6),
            c("b16s_rgb_9x11", d(9, 11, 3, 16, signed: true), seed: 7),
            Case(name: "ssss16_40x30", description: d(40, 30, 1, 16), pixels: half),
            c("restart_rows_16u", d(50, 20, 1, 16), seed: 8, .init(restartInterval: 100)),
            c("noninterleaved_rgb8", d(21, 13, 3, 8), seed: 9, .init(restartInterval: 0, interleaved: false)),
        ]
    }

    /// Our encoding of a case; the codec path unless the case asks for restarts or separate scans.
    func encode(_ k: Case) throws -> [UInt8] {
        if k.options.restartInterval == 0 && k.options.interleaved {
            return try JPEGLosslessCodec().encode(
                k.pixels, description: k.description, syntax: .jpegLosslessSV1,
                parameters: EncodeParameters()
            ).bytes
        }
        return k.pixels.withUnsafeBytes {
            JPEGLosslessEncoder.encode(
                $0, bytesPerSample: k.description.bytesPerSample, width: k.description.columns,
                height: k.description.rows, components: k.description.samplesPerPixel,
                precision: k.description.bitsStored, options: k.options)
        }
    }

    func testOurOutputDecodesIdenticallyInDCMTKGDCMAndPydicom() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dicom-media-jpegll-interop")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let all = cases()
        for k in all {
            let frame = try encode(k)
            let file = try JPLL.part10(k.description, pixelData: .fragments(Encapsulation.encapsulate([frame])), syntax: .jpegLosslessSV1)
            try Part10Writer.write(file, to: dir.appendingPathComponent("\(k.name).dcm").path)
        }
        let expected = Dictionary(uniqueKeysWithValues: all.map { ($0.name, JPLL.normalise($0.pixels, $0.description)) })

        for k in all {
            let input = dir.appendingPathComponent("\(k.name).dcm").path
            // DCMTK
            let dcmtkOut = dir.appendingPathComponent("\(k.name).dcmtk.dcm").path
            let r1 = try JPLL.run("dcmdjpeg", [input, dcmtkOut])
            XCTAssertEqual(r1.status, 0, "dcmdjpeg \(k.name): \(r1.output)")
            if r1.status == 0 {
                let (_, px) = try JPLL.nativePixels(dcmtkOut)
                XCTAssertTrue(JPLL.normalise(px, k.description) == expected[k.name], "dcmdjpeg decodes \(k.name) differently")
            }
            // GDCM. gdcmconv 3.0 aborts (assertion `BitsAllocated == BitsStored` in gdcmImageCodec.cxx) on any
            // JPEG with Bits Allocated 8 and fewer bits stored, DCMTK's own encoding included; those cases are
            // covered by DCMTK and pydicom only.
            if k.description.bitsAllocated == 8 && k.description.bitsStored < 8 { continue }
            let gdcmOut = dir.appendingPathComponent("\(k.name).gdcm.dcm").path
            let r2 = try JPLL.run("gdcmconv", ["--raw", input, gdcmOut])
            XCTAssertEqual(r2.status, 0, "gdcmconv \(k.name): \(r2.output)")
            if r2.status == 0 {
                let (_, px) = try JPLL.nativePixels(gdcmOut)
                XCTAssertTrue(JPLL.normalise(px, k.description) == expected[k.name], "gdcmconv decodes \(k.name) differently")
            }
        }

        // pydicom + pylibjpeg: one Python run writes each file's decoded values as little-endian int64.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return XCTFail("\(python) missing: scripts/setup.sh creates the venv with pydicom and pylibjpeg")
        }
        let script = """
            import sys, pydicom, numpy as np
            d = sys.argv[1]
            for name in sys.argv[2:]:
                ds = pydicom.dcmread(f"{d}/{name}.dcm")
                ds.pixel_array.astype("<i8").tofile(f"{d}/{name}.pydicom.raw")
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", script, dir.path] + all.map(\.name)
        let pipe = Pipe()
        p.standardError = pipe
        try p.run()
        let err = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "pydicom: \(err)")
        for k in all {
            guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent("\(k.name).pydicom.raw").path) else {
                XCTFail("pydicom wrote nothing for \(k.name)"); continue
            }
            let values = data.withUnsafeBytes { raw in
                (0..<(data.count / 8)).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
            }
            XCTAssertTrue(values == expected[k.name], "pydicom decodes \(k.name) differently")
        }
    }
}
