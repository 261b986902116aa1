import DICOMCodecs
import DICOMCore
import DICOMPixel
import Foundation
import XCTest
@testable import MediaImage

/// MediaImage's one error: codes, and the cause of a failed system or library call kept.
final class ImageErrorTests: XCTestCase {
    func code(_ e: any Error) -> ImageError.Code? { (e as? ImageError)?.code }

    func testNotAnImage() {
        XCTAssertThrowsError(try ISO9660Reader(bytes: Array(repeating: 0, count: 40_000))) { e in XCTAssertEqual(code(e), .notAnImage, "\(e)") }
    }

    func testMissingFileKeepsErrno() {
        XCTAssertThrowsError(try ISO9660Reader(path: "/nonexistent/\(getpid()).iso")) { e in
            XCTAssertEqual(code(e), .ioFailed, "\(e)")
            let cause = (e as? ImageError)?.cause as? LibraryCallError
            XCTAssertEqual(cause?.library, "libc")
            XCTAssertEqual(cause?.code, Int(ENOENT))
            XCTAssertEqual((e as? ImageError)?.path, "/nonexistent/\(getpid()).iso")
        }
    }

    func testBadNamesAreRefusedBeforeWriting() {
        let out = NSTemporaryDirectory() + "imageerror-\(getpid()).iso"
        XCTAssertThrowsError(try ISOWriter.write(files: [], to: out, options: ISOWriteOptions(volumeID: "bad id"))) { e in
            XCTAssertEqual(code(e), .invalidName, "\(e)")
        }
        let files = [ImageFile(path: "A/../B", content: .bytes([1]))]
        XCTAssertThrowsError(try ISOWriter.write(files: files, to: out, options: ISOWriteOptions(volumeID: "OK"))) { e in
            XCTAssertEqual(code(e), .invalidName, "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testMissingEntry() throws {
        let out = NSTemporaryDirectory() + "imageerror-entry-\(getpid()).iso"
        defer { try? FileManager.default.removeItem(atPath: out) }
        var o = ISOWriteOptions(volumeID: "ENTRY")
        o.engine = .libarchive
        try ISOWriter.write(files: [ImageFile(path: "README.TXT", content: .bytes(Array("hi".utf8)))], to: out, options: o)
        let a = try ArchiveReader(path: out)
        XCTAssertEqual(try a.read("README.TXT"), Array("hi".utf8))
        XCTAssertThrowsError(try a.read("NOPE")) { e in XCTAssertEqual(code(e), .noEntry, "\(e)") }
    }

    /// The PDI rendering encoder is DICOMCodecs' TurboJPEG wrapper with libjpeg's default DCT.
    func testJPEGEncoderUsesTheOneTurboJPEGWrapper() throws {
        let pixels = (0..<(16 * 8)).map { UInt8(truncatingIfNeeded: $0 &* 5) }
        let jpeg = try JPEGEncoder.encodeGray(pixels, width: 16, height: 8, quality: 90)
        XCTAssertEqual(jpeg, try TurboJPEG.compressGray(pixels, width: 16, height: 8, quality: 90, accurateDCT: false))
        XCTAssertEqual(Array(jpeg.prefix(2)), [0xFF, 0xD8])
        XCTAssertThrowsError(try JPEGEncoder.encodeGray([1, 2], width: 16, height: 8)) { e in
            XCTAssertEqual(code(e), .invalidInput, "\(e)")
            XCTAssertEqual(((e as? ImageError)?.cause as? PixelError)?.code, .shortPixelData)
        }
    }
}
