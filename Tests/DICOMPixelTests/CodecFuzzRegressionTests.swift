import DICOMCore
import DICOMPixel
import Foundation
import XCTest

/// Inputs of the codec fuzz targets (Tests/Fixtures/fuzz-codecs/rle and /jpegdct, README there), run the way
/// Fuzz/RLE and Fuzz/JPEGDCT run them: each decodes to a whole frame or throws a PixelError, quickly.
final class CodecFuzzRegressionTests: XCTestCase {
    static func fixtures(_ target: String) throws -> [URL] {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz-codecs/\(target)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".bin") }.sorted()
        return names.map { dir.appendingPathComponent($0) }
    }

    func testRLEFixtures() throws {
        let files = try Self.fixtures("rle")
        XCTAssertGreaterThanOrEqual(files.count, 5)
        var decoded = 0
        for url in files {
            let bytes = [UInt8](try Data(contentsOf: url))
            guard bytes.count >= 8 else { continue }
            // Same mapping as Fuzz/RLE: dims from 4 bytes, layout from the segment count.
            var rows = (Int(bytes[0]) | Int(bytes[1]) << 8) + 1
            let cols = (Int(bytes[2]) | Int(bytes[3]) << 8) + 1
            if rows * cols > 1 << 16 { rows = max(1, (1 << 16) / cols) }
            let frame = Array(bytes[4...])
            let layouts: [Int: (Int, Int)] = [2: (1, 16), 3: (3, 8), 4: (1, 32), 6: (3, 16), 12: (3, 32)]
            let layout = layouts[Int(frame[0])] ?? (1, 8)
            let d = PixelDescription(
                rows: rows, columns: cols, samplesPerPixel: layout.0, bitsAllocated: layout.1, bitsStored: layout.1,
                photometricInterpretation: layout.0 == 3 ? "RGB" : "MONOCHROME2")
            let codec = RLECodec()
            let start = Date()
            do {
                let out = try codec.decode(frame, description: d, syntax: .rleLossless)
                XCTAssertEqual(out.bytes.count, d.frameLength, url.lastPathComponent)
                let again = try codec.decode(
                    try codec.encode(out.bytes, description: d, syntax: .rleLossless, parameters: EncodeParameters()).bytes,
                    description: d, syntax: .rleLossless)
                XCTAssertEqual(again.bytes, out.bytes, url.lastPathComponent)
                decoded += 1
            } catch let e as PixelError {
                XCTAssertFalse(e.message.isEmpty)
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 2, url.lastPathComponent)
        }
        XCTAssertGreaterThan(decoded, 0, "no RLE fixture decodes: the fixtures no longer exercise the decoder")
    }

    func testJPEGFixtures() throws {
        let files = try Self.fixtures("jpegdct")
        XCTAssertGreaterThanOrEqual(files.count, 5)
        var decoded = 0
        for url in files {
            let bytes = [UInt8](try Data(contentsOf: url))
            var rows = 8, cols = 8, spp = 1, precision = 8
            var i = 0
            while i + 10 < bytes.count {
                if bytes[i] == 0xFF && (bytes[i + 1] == 0xC0 || bytes[i + 1] == 0xC1) {
                    precision = Int(bytes[i + 4]); rows = Int(bytes[i + 5]) << 8 | Int(bytes[i + 6])
                    cols = Int(bytes[i + 7]) << 8 | Int(bytes[i + 8]); spp = Int(bytes[i + 9])
                    break
                }
                i += 1
            }
            guard rows > 0, cols > 0, rows * cols <= 1 << 19, spp == 1 || spp == 3 else { continue }
            let d = PixelDescription(
                rows: rows, columns: cols, samplesPerPixel: spp, bitsAllocated: precision > 8 ? 16 : 8,
                bitsStored: precision > 8 ? 12 : 8, photometricInterpretation: spp == 1 ? "MONOCHROME2" : "YBR_FULL")
            let start = Date()
            do {
                let out = try JPEGExtendedCodec().decode(bytes, description: d, syntax: .jpegExtended)
                XCTAssertEqual(out.bytes.count, d.frameLength, url.lastPathComponent)
                decoded += 1
            } catch let e as PixelError {
                if url.lastPathComponent.contains("progressive") { XCTAssertTrue(e.message.contains("unsupported JPEG process: progressive"), "\(e)") }
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 2, url.lastPathComponent)
        }
        XCTAssertGreaterThanOrEqual(decoded, 4, "the cjpeg seeds should decode")
    }
}
